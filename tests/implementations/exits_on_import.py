"""A script whose top level ends the process: ``sys.exit(main())`` outside a main guard."""

import sys

sys.exit(0)


def backward(params, x, y):  # never reached
    return {}
