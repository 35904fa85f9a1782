"""argv -> exit code: the only module that reads arguments, prints, or exits.

``derive-backprop SPEC... [-o DIR|-] [--format md|tex|json|all]`` renders;
``derive-backprop list`` shows the registries; ``derive-backprop site DIR -o SITE
[--book FILE]`` derives every spec under DIR in worker processes and writes a MkDocs
project (``derive.site``). Exit codes: 0 success, 1 a numeric check disagrees, 2 bad
input. Only ``DeriveError`` is caught, so a bug keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import CheckFailed, DeriveError, SpecError
from .registry import NOTATIONS
from .process import one_run
from .registry import ACTIVATIONS, INIT_SCHEMES, LOSSES
from .formats import FORMATS, render, render_chapter
from .spec import Limits
from .pipeline import disagreement_lines, oracle_methods, run_pipeline
from .write import safe_stem, write_outputs

if TYPE_CHECKING:
    from .site import Lesson

__all__ = ["main", "console_main", "cli"]


class _DefaultGroup(click.Group):
    """A group whose default command is ``render``: ``derive-backprop spec.yaml`` just works."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "--version"):
            args = ["render", *args]
        return super().parse_args(ctx, args)


def _limits(no_limits: bool) -> Limits:
    return Limits(**{k: 10**9 for k in Limits.__dataclass_fields__}) if no_limits else Limits()


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive-backprop")
def cli() -> None:
    """Turn a YAML network spec into checked backpropagation notes."""


def check_options(*, oracle: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--seed, --no-limits and --oracle, shared by every command that derives and checks."""
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--oracle", type=click.Choice(["finite_difference", "torch", "auto"]),
            default=oracle, show_default=True,
            help="Oracles to check against (auto: torch too when installed; torch needs "
                 "the [torch] extra).")(command)
        command = click.option("--no-limits", is_flag=True,
                               help="Lift the size limits (parameters, layers, ...).")(command)
        return click.option("--seed", type=int, default=0, show_default=True,
                            help="Seed of the random check points.")(command)
    return decorate


@cli.command("render")
@click.argument("specs", nargs=-1, required=True)
@click.option("-o", "--out", default=".", show_default=True,
              help="Output folder, or - to print one format to stdout.")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "all"]), default="md",
              show_default=True, help="What to write.")
@check_options(oracle="finite_difference")
def render_command(specs: tuple[str, ...], out: str, fmt: str, seed: int, no_limits: bool,
                   oracle: str) -> None:
    """Derive, check and render each SPEC."""
    formats = FORMATS if fmt == "all" else (fmt,)
    if out == "-" and (len(formats) != 1 or len(specs) != 1):
        raise SpecError("--out", "one spec and one format with -o -",
                        got_text=f"{len(specs)} spec(s), format {fmt}", stage="derive-backprop")
    stems: dict[str, str] = {}
    for path in specs:          # two specs must not write (and overwrite) the same files
        other = stems.setdefault(safe_stem(Path(path).stem), path)
        if other != path and out != "-":
            raise SpecError("SPEC", "spec files whose names give different output files",
                            got_text=f"{other!r} and {path!r} both give "
                                     f"{safe_stem(Path(path).stem)}.*", stage="derive-backprop")
    methods = oracle_methods(oracle)
    results = []
    for path in specs:          # every spec first: one bad spec and nothing is written
        derivation, worked, report = run_pipeline(path, seed=seed, limits=_limits(no_limits),
                                                  methods=methods)
        files = render(derivation, worked, report, stem=safe_stem(Path(path).stem),
                       formats=formats)
        results.append((path, derivation, report, files))
    for path, derivation, report, files in results:
        if out == "-":
            click.echo(next(iter(files.values())), nl=False)
        else:
            for written in write_outputs(files, Path(out)):
                click.echo(f"wrote {written}", err=True)
        if not report.passed:
            for line in disagreement_lines(path, derivation, report):
                click.echo(line, err=True)
            failed_claims = sum(not c.passed for c in report.claims)
            raise CheckFailed("check", "symbolic gradients equal to every oracle and true claims",
                              got_text=f"{len(report.disagreements)} disagreement(s), "
                                       f"{failed_claims} failed claim(s)", file=path)


@cli.command("check")
@click.argument("specs", nargs=-1, required=True)
@check_options(oracle="auto")
def check_command(specs: tuple[str, ...], seed: int, no_limits: bool, oracle: str) -> None:
    """Check every symbolic gradient of each SPEC against every oracle; exit 1 on any disagreement."""
    methods = oracle_methods(oracle)
    failed = 0
    for path in specs:
        derivation, _, report = run_pipeline(path, seed=seed, limits=_limits(no_limits),
                                             methods=methods)
        lines = disagreement_lines(path, derivation, report)
        for line in lines:
            click.echo(line)
        if report.passed and not lines:
            click.echo(f"{path}: ok: {report.compared} comparisons "
                       f"({', '.join(report.methods)}), largest error {report.max_abs_error:.2g}")
        failed += not report.passed
    if failed:
        raise CheckFailed("check", "every symbolic gradient equal to every oracle",
                          got_text=f"{failed} spec(s) with disagreements", stage="check")


class _CourseErrors(DeriveError):
    """The specs of a course that could not be derived, one message each (from the workers)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("site", "valid specs", got_text=f"{len(messages)} invalid")
        self.messages = messages

    def __str__(self) -> str:
        return "\n".join(self.messages)


def course_specs(folder: Path, skip: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``folder``, outside hidden folders and ``skip``."""
    found = []
    for path in sorted(folder.rglob("*")):
        inside = path.relative_to(folder)
        if (path.suffix in (".yaml", ".yml") and path.is_file()
                and not any(part.startswith(".") for part in inside.parts)
                and skip.resolve() not in path.resolve().parents):
            found.append(path)
    return found


def course_lesson(path: str, source: str, page: str, seed: int, limits: Limits,
                  methods: tuple[str, ...], book: bool) -> Lesson | str:
    """Derive, check and render one spec of a course (in a worker): a Lesson, or the error."""
    from .site import Lesson     # only the site command needs it
    try:
        derivation, worked, report = run_pipeline(path, seed=seed, limits=limits, methods=methods)
        files = render(derivation, worked, report, stem=page.rpartition("/")[2], formats=("md",))
        chapter = render_chapter(derivation, worked, report) if book else ""
    except DeriveError as exc:     # its fields may not survive pickling back: send the text
        return str(exc)
    network = derivation.network
    units = (len(network.x), *(layer.units for layer in network.layers))
    return Lesson(source=source, page=page, title=network.spec.title, passed=report.passed,
                  compared=report.compared, max_abs_error=report.max_abs_error,
                  parameters=len(network.parameters), architecture="-".join(map(str, units)),
                  files=tuple(sorted(files.items())), chapter=chapter)


def derive_course(tasks: list[tuple], jobs: int) -> list[Lesson | str]:  # type: ignore[type-arg]
    """Run ``course_lesson`` over the tasks in ``jobs`` processes, with a progress bar."""
    results: list[Lesson | str] = []
    with click.progressbar(length=len(tasks), label="Deriving", file=sys.stderr,
                           show_pos=True) as bar:
        if jobs == 1:
            for task in tasks:
                results.append(course_lesson(*task))
                bar.update(1)
            return results
        from concurrent.futures import ProcessPoolExecutor, as_completed  # only for `site`

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(course_lesson, *task) for task in tasks]
            for future in as_completed(futures):
                bar.update(1)
            return [future.result() for future in futures]


@cli.command("site")
@click.argument("specs_dir", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", required=True, help="Folder for the MkDocs project.")
@click.option("--book", default=None, help="Also write the whole course as one LaTeX file here.")
@click.option("--title", default=None, help="Course title.  [default: the folder's name]")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Specs derived in parallel.  [default: one per CPU]")
@check_options(oracle="finite_difference")
def site_command(specs_dir: str, out: str, book: str | None, title: str | None,
                 jobs: int | None, seed: int, no_limits: bool, oracle: str) -> None:
    """Build a MkDocs course site from every spec under SPECS_DIR (and a LaTeX book)."""
    from .site import Lesson, build_book, build_site, page_path
    root = Path(specs_dir)
    specs = course_specs(root, Path(out))
    if not specs:
        raise SpecError("SPECS_DIR", "a folder with .yaml specs", got_text="no spec files",
                        file=specs_dir)
    methods, limits = oracle_methods(oracle), _limits(no_limits)
    tasks = []
    for path in specs:
        inside = path.relative_to(root)
        page = page_path([safe_stem(part) for part in inside.parts[:-1]], safe_stem(path.stem))
        tasks.append((str(path), inside.as_posix(), page, seed, limits, methods, bool(book)))
    results = derive_course(tasks, min(jobs or os.cpu_count() or 1, len(tasks)))
    errors = [result for result in results if isinstance(result, str)]
    if errors:
        raise _CourseErrors(errors)
    lessons = [result for result in results if isinstance(result, Lesson)]
    name = title or root.resolve().name
    written = write_outputs(build_site(lessons, title=name), Path(out))
    click.echo(f"wrote {len(written)} files to {out} ({len(lessons)} pages); "
               f"build it with: mkdocs build --strict -f {Path(out) / 'mkdocs.yml'}", err=True)
    if book:
        target = Path(book)
        for path in write_outputs({target.name: build_book(lessons, title=name)}, target.parent):
            click.echo(f"wrote {path}", err=True)
    failed = [lesson.source for lesson in lessons if not lesson.passed]
    if failed:
        raise CheckFailed("check", "symbolic gradients equal to every oracle",
                          got_text=f"disagreements in {', '.join(failed)}", file=specs_dir)


@cli.command("list")
def list_command() -> None:
    """Show the activations, losses, init schemes and notations a spec may name."""
    click.echo("activations:")
    for entry in ACTIVATIONS:
        options = ", ".join(f"{o.name}={o.default:g}" for o in entry.options)
        click.echo(f"  {entry.name:<20} {entry.formula}" + (f"  [{options}]" if options else ""))
    click.echo("losses:")
    for loss in LOSSES:
        options = ", ".join(f"{o.name}={o.default:g}" for o in loss.options)
        click.echo(f"  {loss.name:<20} {loss.formula}" + (f"  [{options}]" if options else ""))
    click.echo("init schemes:")
    for scheme in INIT_SCHEMES:
        click.echo(f"  {scheme.name:<20} {scheme.formula}")
    click.echo("notations:")
    for notation in NOTATIONS.values():
        click.echo(f"  {notation.name:<20} {notation.description}")


def console_main() -> None:
    """The installed command: ``main`` in a process set up for one run (``process.one_run``)."""
    with one_run():
        main()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a ``DeriveError`` becomes its message and exit code, never a traceback."""
    try:
        cli.main(args=argv, prog_name="derive-backprop", standalone_mode=False)
    except DeriveError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    sys.exit(0)
