"""``python -m derive.compiled_templates``: regenerate this folder after editing ``templates/``."""

from derive.templating import regenerate

regenerate()
