"""The commands' work that needs no click: which specs the arguments name (a folder stands
for its specs, ``-`` for stdin), every invalid spec reported, the error a run ends with,
``--against``'s lines, the site's checks, files and manifest.

``render`` and ``check`` take the specs their arguments name (``spec_paths``), run them all
(``run_each``), and only then write or exit, so one bad spec means nothing is written for
any, with one line (or one per problem) for each bad one. A spec on stdin is named
``<stdin>`` in messages; its files are named after its title, made safe
(``title: XOR net`` -> ``XOR_net.md``), or ``stdin.*`` without a title. No click, no
printing, no exits (``cli`` does those).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .errors import CheckFailed, DeriveError, SpecError
from .pipeline import GraphResult, Options, Result, oracle_methods, run, run_text
from .display import NAME_RULE, decoded_name, display_name, name_problem
from .spec import LIMIT_HINT, Limits, load, load_graph
from .write import safe_stem, write_outputs

if TYPE_CHECKING:       # the site's modules load when a course or a folder is asked for
    from .site import Lesson

__all__ = ["STDIN", "STDIN_NAME", "InvalidSpecs", "against_lines", "check_failed",
           "checks_failed", "clashing_stems", "counted", "implementation", "not_networks",
           "options_from_flags",
           "output_stem", "read_stdin", "run_each", "site_specs", "spec_paths", "unprinted",
           "write_course",
           "write_listed"]

STDIN = "-"
STDIN_NAME = "<stdin>"


def counted(number: int, noun: str) -> str:
    """``1 sample``, ``2 samples``, ``0 samples``: a count in the grammar of its noun."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def options_from_flags(seed: int, no_limits: bool, oracle: str, **rest: Any) -> Options:
    """The pipeline's options from the shared flags (the oracle choice checked first)."""
    methods = oracle_methods(oracle)
    limits = Limits(**{k: 10**9 for k in Limits.__dataclass_fields__}) if no_limits else Limits()
    return Options(seed=seed, limits=limits, methods=methods, **rest)


class InvalidSpecs(DeriveError):
    """Every spec of a run that ended in an error, each with its own line(s): exit 2 when
    one is invalid input, else the errors' own code (1: a page's false equation)."""

    def __init__(self, errors: Sequence[DeriveError | str]) -> None:
        super().__init__("SPEC", "valid specs", got_text=f"{len(errors)} invalid")
        self.messages = [str(error) for error in errors]
        codes = [getattr(error, "exit_code", 2) for error in errors]   # a site worker's text: 2
        self.exit_code = 2 if 2 in codes or not codes else min(codes)

    def __str__(self) -> str:
        return "\n".join(self.messages)


def check_failed(result: Result | GraphResult) -> CheckFailed:
    """The last line when one spec disagrees: its disagreements and failed claims, counted."""
    disagreements, failed_claims = result.failures()
    return CheckFailed("check", "symbolic gradients equal to every oracle and true claims",
                       got_text=f"{counted(disagreements, 'disagreement')}, "
                                f"{counted(failed_claims, 'failed claim')}", file=result.path)


def checks_failed(arguments: Sequence[str], failed: Sequence[Result | GraphResult],
                  total: int, *, invalid: Sequence[DeriveError] = ()) -> DeriveError:
    """The last line of a run with invalid (exit 2) or disagreeing specs (exit 1; a page
    whose audit found a false equation among them): it counts them and names the failing
    ones and the arguments that held them. A single spec that ended in an error gets its
    own message alone."""
    if invalid and total == 1:
        return InvalidSpecs(list(invalid))
    bad_input = [error for error in invalid if error.exit_code == 2]
    if bad_input:
        return SpecError("specs", "valid specs", file=" ".join(arguments),
                         got_text=f"{counted(len(bad_input), 'invalid spec')} of {total}")
    paths = [str(result.path) for result in failed] + [str(error.file) for error in invalid]
    names = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return CheckFailed("specs", "every symbolic gradient equal to every oracle and every claim "
                       "true", got_text=f"{counted(len(paths), 'failing spec')} of {total}: "
                       f"{names}", file=" ".join(arguments))


def implementation(against: str | None) -> Callable[..., Any] | None:
    """The function ``check --against MODULE:FUNCTION`` names (imported), or None."""
    if against is None:
        return None
    from .against import load_function
    return load_function(against)


def unprinted(files: dict[str, str | bytes]) -> list[str]:
    """With ``-o -`` only the first file is printed: one line naming the files it links to
    (the page's pictures) that were not written, or nothing."""
    first, *rest = files
    if not rest:
        return []
    folders = sorted({name.rpartition("/")[0] or name for name in rest})
    return [f"derive-backprop: -o -: printed {first}; not written: "
            f"{counted(len(rest), 'linked file')} in {', '.join(f'{f}/' for f in folders)} "
            f"(-o DIR writes them)"]


def write_listed(files: dict[str, str | bytes], target: Path, command: str = "site"
                 ) -> tuple[list[Path], list[str]]:
    """A site's or an exercise set's files and their manifest written into ``target``, the
    files the last run's manifest lists and this one no longer writes removed (a variant no
    longer drawn, a page whose spec is gone): (written, removed)."""
    from .site import stale_files, with_manifest

    files = with_manifest(files, command)
    stale = stale_files(target, files, command)
    return write_outputs(files, target, remove=stale), stale


def spec_paths(arguments: Sequence[str], *, folders: bool = True) -> list[str]:
    """Each argument, a folder replaced by every ``.yaml``/``.yml`` spec below it (hidden
    folders and ``mkdocs.yml`` left out; ``folders=False``: a folder stays, and is an error
    when it is read); a folder with none, or ``-`` twice, is an error."""
    if list(arguments).count(STDIN) > 1:
        raise SpecError("SPEC", "at most one - (stdin)",
                        got_text=str(list(arguments).count(STDIN)), stage="derive-backprop")
    found: list[str] = []
    for argument in arguments:
        folder = Path(argument)
        if folders and argument != STDIN and folder.is_dir():
            from .site import course_specs

            inside = course_specs(folder)
            if not inside:
                raise SpecError("SPEC", "a folder with .yaml or .yml specs",
                                got_text="no spec files", file=argument)
            found += [str(path) for path in inside]
        else:
            found.append(argument)
    return found


def read_stdin(stream: BinaryIO, limit: int) -> str:
    """The spec on stdin as text: at most ``limit`` bytes of UTF-8, or one SpecError line."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SpecError("(file)", f"at most {limit} bytes", got_text="more", file=STDIN_NAME,
                        line=1, hint=LIMIT_HINT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("(file)", "UTF-8 text", got_text=f"byte 0x{data[exc.start]:02x}",
                        file=STDIN_NAME, line=data[:exc.start].count(b"\n") + 1) from None


def output_stem(path: str, text: str = "", limits: Limits = Limits()) -> str:
    """The stem of a spec's output files: its file's, or on stdin its title's (else stdin).

    The title is read by the spec's own loader (bounded; an invalid spec gives ``stdin``
    here and its error when it runs)."""
    if path != STDIN:
        return safe_stem(Path(path).stem)
    from .spec.tensor import load_tensor

    try:
        spec = load_graph(text, STDIN_NAME, default_title="stdin") or \
            load_tensor(text, STDIN_NAME, default_title="stdin", limits=limits) or \
            load(text, STDIN_NAME, limits=limits, default_title="stdin")
    except DeriveError:
        return "stdin"
    return safe_stem(spec.title)


def clashing_stems(paths: Sequence[str], stems: Sequence[str]) -> None:
    """Two specs that would write (and overwrite) the same files are an error."""
    seen: dict[str, str] = {}
    for path, stem in zip(paths, stems):
        other = seen.setdefault(stem, path)
        if other != path:
            raise SpecError("SPEC", "spec files whose names give different output files",
                            got_text=f"{other!r} and {path!r} both give {stem}.*",
                            stage="derive-backprop")


def run_each(paths: Sequence[str], options: Options, stdin: str = ""
             ) -> tuple[list[Result | GraphResult], list[DeriveError]]:
    """Every spec run: the results of the valid ones and the error of each other one, which
    names its file (``run`` names a file's; a page's false equation knows only its section).

    ``stdin``: the text of ``-``, already read.
    """
    results: list[Result | GraphResult] = []
    errors: list[DeriveError] = []
    for path in paths:
        try:
            if path == STDIN:
                stem = options.stem or output_stem(path, stdin, options.limits)
                results.append(run_text(stdin, STDIN_NAME, replace(options, stem=stem),
                                        title="stdin"))
            else:
                results.append(run(path, options))
        except DeriveError as exc:
            if exc.file is None:                  # run names a file's; stdin's is named here
                exc.file = STDIN_NAME
            errors.append(exc)
    if "numpy" in options.formats:
        errors += not_networks(results, "--format numpy")
    return results, errors


def not_networks(results: Sequence[Any], option: str) -> list[DeriveError]:
    """A line for each result that is no network (a circuit, a typed lesson), for an option
    that needs one: it has no W1, b1, ... to export or to give a user's backward()."""
    return [SpecError(option, "a network spec (layers:)", got_text="a graph: spec"
                      if isinstance(r, GraphResult) else "a typed-layer spec", file=str(r.path))
            for r in results if not isinstance(r, Result)]


def against_lines(result: Result, options: Options, target: str | None,
                  function: Callable[..., Any]) -> tuple[list[str], bool]:
    """``check --against``: one line per wrong tensor, naming what explains its numbers (or
    one ok line), and whether every tensor agrees."""
    from .against import RELATIVE, check_implementation
    from .api import Result as ApiResult

    findings, points = check_implementation(ApiResult(result, options), function,
                                            seed=options.seed)
    path = result.path
    lines = [f"{path}: --against {target}: {f.tensor}: expected the gradient of the loss "
             f"(relative {RELATIVE:g}), got {f.diagnosis}"
             + (f"; largest relative error {f.error:.2g}" if f.error != float("inf") else "")
             for f in findings]
    return lines or [f"{path}: --against {target}: ok: every tensor agrees at "
                     f"{counted(points, 'point')}"], not findings


def site_specs(specs_dir: str, out: str, *, book: str | None, title: str | None,
               force: bool) -> list[Path]:
    """``site``'s arguments checked before any work: the specs under ``specs_dir``."""
    from .site import check_book, check_target, course_specs

    if title is not None and name_problem(title):
        raise SpecError("--title", NAME_RULE, title, hint=name_problem(title) or "",
                        stage="derive-backprop")
    root = Path(specs_dir)
    check_book(book)
    check_target(Path(out), root, force=force)
    specs = course_specs(root)
    if not specs:
        raise SpecError("SPECS_DIR", "a folder with .yaml or .yml specs",
                        got_text="no spec files", file=specs_dir)
    return specs


def write_course(results: Sequence[Lesson | str], specs_dir: str, out: str, *,
                 book: str | None, title: str | None) -> tuple[list[str], DeriveError | None]:
    """The site (and book) of a course's derived specs written: the lines that say what was
    written and removed, and the error the run ends with when a spec disagrees."""
    from .site import Lesson, build_book, build_site

    errors = [result for result in results if isinstance(result, str)]
    if errors:
        raise InvalidSpecs(errors)
    lessons = [result for result in results if isinstance(result, Lesson)]
    root, target = Path(specs_dir), Path(out)
    name = title or display_name(decoded_name(root.resolve().name), default="course")
    written, stale = write_listed(build_site(lessons, title=name), target)
    lines = [f"removed {target / gone} (its spec is gone)" for gone in stale]
    lines.append(f"wrote {counted(len(written), 'file')} to {out} "
                 f"({counted(len(lessons), 'page')}); "
                 f"build it with: mkdocs build --strict -f {target / 'mkdocs.yml'}")
    if book:
        lines += [f"wrote {path}" for path in write_outputs(
            {Path(book).name: build_book(lessons, title=name)}, Path(book).parent)]
    failed = [lesson.source for lesson in lessons if not lesson.passed]
    return lines, CheckFailed("check", "symbolic gradients equal to every oracle and true "
                              "claims", got_text=f"disagreements or failed claims in "
                              f"{', '.join(failed)}", file=specs_dir) if failed else None
