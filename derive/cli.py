"""argv -> ``pipeline`` -> ``write`` -> exit code: the only module that reads arguments or prints.

``derive-backprop SPEC... [-o DIR|-] [--format md|tex|json|numpy|all]`` renders;
``check SPEC|DIR...`` checks; ``list`` shows the registries; ``site DIR -o SITE [--book FILE]``
derives every spec under DIR in worker processes and writes a MkDocs project. SPEC ``-`` is
stdin; every invalid spec is reported (``commands`` does the work that needs no click).
Exit codes: 0 success, 1 a check or a claim disagrees, 2 bad input, 130 interrupted. Only
``DeriveError`` is caught, so a bug keeps its traceback here; the installed command
(``process.console_main``) makes it one line and exit 70, and a signal N exit 128 + N.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .catalog import catalog_lines
from .commands import (STDIN, InvalidSpecs, against_lines, check_failed, checks_failed,
                       clashing_stems, counted, implementation, not_networks, options_from_flags,
                       output_stem, read_stdin, run_each, site_specs, spec_paths, unprinted,
                       write_course, write_listed)
from .errors import DeriveError, SpecError
from .formats import FORMATS
from .pipeline import ORACLES, Options, Result, run_course
from .write import write_outputs

__all__ = ["cli", "main"]


class _Failed(click.ClickException):
    """A ``DeriveError`` leaving a command: its own message (no "Error: ") and exit code."""

    def __init__(self, error: DeriveError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file: Any = None) -> None:
        click.echo(self.message, file=file, err=file is None)


class _DefaultGroup(click.Group):
    """A group whose default command is ``render``: ``derive-backprop spec.yaml`` just works.

    It turns a ``DeriveError`` into a click exception that keeps the error's exit code, so
    ``main`` and click's own runner (the tests' ``CliRunner``) report it alike.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "--version"):
            args = ["render", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeriveError as exc:
            raise _Failed(exc) from exc


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive-backprop")
def cli() -> None:
    """Turn a YAML network spec into checked backpropagation notes.

    `derive-backprop SPEC...` is short for `derive-backprop render SPEC...`. render, check
    and site check every gradient against finite differences; `--oracle torch` (or `auto`,
    when torch is installed) adds PyTorch autograd as a second check.
    """


def check_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--seed, --no-limits, --quiet and --oracle: every command that derives and checks."""
    command = click.option(
        "--oracle", type=click.Choice(ORACLES),
        default="finite_difference", show_default=True,
        help="Finite differences always check every gradient; torch adds PyTorch autograd "
             "(float64; the [torch] extra), auto adds it when torch is installed.")(command)
    command = click.option("--no-limits", is_flag=True,
                           help="Lift the size limits (parameters, layers, ...).")(command)
    command = click.option("-q", "--quiet", is_flag=True,
                           help="Print only problems (no 'wrote' or 'ok' lines).")(command)
    return click.option("--seed", type=int, default=0, show_default=True,
                        help="Seed of the random check points.")(command)


def _stdin_text(paths: list[str], options: Options) -> str:
    """The spec on stdin, read once, when ``-`` is among the specs."""
    return read_stdin(click.get_binary_stream("stdin"), options.limits.bytes) \
        if STDIN in paths else ""


def _say(lines: list[str], quiet: bool) -> None:
    """Lines that report what was done, on stderr; none with --quiet."""
    click.echo("".join(f"{line}\n" for line in lines) * (not quiet), nl=False, err=True)


@cli.command("render")
@click.argument("specs", nargs=-1, required=True)
@click.option("-o", "--out", default=".", show_default=True,
              help="Output folder, or - to print one format to stdout.")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "numpy", "all"]),
              default="md", show_default=True,
              help="What to write (all: the pages md, tex, json; numpy: STEM.py, a NumPy "
                   "reference implementation).")
@check_options
def render_command(specs: tuple[str, ...], out: str, fmt: str, seed: int, no_limits: bool,
                   quiet: bool, oracle: str) -> None:
    """Derive, check and render each SPEC (- reads one spec from stdin; its files are named
    after its title, or stdin.*)."""
    formats = FORMATS if fmt == "all" else (fmt,)
    paths = spec_paths(specs, folders=False)
    if out == "-" and (len(formats) != 1 or len(paths) != 1):
        raise SpecError("--out", "one spec and one format with -o -",
                        got_text=f"{counted(len(paths), 'spec')}, format {fmt}",
                        stage="derive-backprop")
    options = options_from_flags(seed, no_limits, oracle, formats=formats)
    text = _stdin_text(paths, options)
    if out != "-":
        clashing_stems(paths, [output_stem(path, text, options.limits) for path in paths])
    results, errors = run_each(paths, options, text)   # one bad spec and nothing is written
    if errors:
        raise InvalidSpecs(errors)
    for result in results:
        if out == "-":
            click.echo(next(iter(result.files.values())), nl=False)
            _say(unprinted(result.files), quiet)
        else:
            _say([f"wrote {written}" for written in write_outputs(result.files, Path(out))],
                 quiet)
    failed = [result for result in results if not result.passed]
    click.echo("".join(f"{line}\n" for r in failed for line in r.problems()), nl=False, err=True)
    if failed:
        raise check_failed(failed[0]) if len(failed) == 1 else \
            checks_failed(specs, failed, len(paths))


@cli.command("check")
@click.argument("specs", nargs=-1, required=True)
@click.option("--against", "against", default=None, metavar="MODULE:FUNCTION",
              help="Also check your own backward(): FUNCTION(params, x, y) -> its gradients.")
@check_options
def check_command(specs: tuple[str, ...], against: str | None, seed: int, no_limits: bool,
                  quiet: bool, oracle: str) -> None:
    """Check every symbolic gradient and claim of each SPEC against every oracle (a folder:
    every .yaml/.yml spec below it; - reads stdin). Exit 1 on a disagreement, 2 if a spec
    is invalid (every invalid one is reported)."""
    options = options_from_flags(seed, no_limits, oracle)
    function = implementation(against)
    paths = spec_paths(specs)
    text = _stdin_text(paths, options)
    failed: list[Any] = []
    invalid: list[DeriveError] = []
    for path in paths:
        results, errors = run_each([path], options, text)
        if function is not None:
            errors += not_networks(results, "--against")
            results = [r for r in results if isinstance(r, Result)]
        for error in errors if len(paths) > 1 else ():
            click.echo(str(error), err=True)
        invalid += errors
        for result in results:
            lines = result.problems()
            click.echo("".join(click.style(f"{line}\n", fg="red") for line in lines), nl=False)
            if result.passed and not lines and not quiet:
                click.echo(click.style(f"{result.path}: {result.summary()}", fg="green"))
            wrong = not result.passed
            if function is not None and isinstance(result, Result):
                lines, agrees = against_lines(result, options, against, function)
                if not (agrees and quiet):
                    click.echo(click.style("".join(f"{line}\n" for line in lines),
                                           fg="green" if agrees else "red"), nl=False)
                wrong |= not agrees
            failed += [result] * wrong
    if invalid or failed:
        raise checks_failed(specs, failed, len(paths), invalid=invalid)


MAX_VARIANTS = 500      # one class's worth: each variant is a derived, checked spec


@cli.command("exercises")
@click.argument("spec")
@click.option("--variants", type=click.IntRange(min=1, max=MAX_VARIANTS), default=None,
              help="How many variants to draw.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A file with one student per line: a variant each.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed gives the same variants, byte for byte.")
@click.option("-o", "--out", required=True, help="Output folder.")
@click.option("-q", "--quiet", is_flag=True, help="Do not list the files written.")
def exercises_command(spec: str, variants: int | None, roster: str | None, seed: int,
                      out: str, quiet: bool) -> None:
    """Per-student variants of SPEC's example: questions, solutions, answers.csv, moodle.xml."""
    from .exercises import exercise_files, read_exercise, read_roster, roster_csv
    from .pipeline import read_spec
    from .spec import dump_spec, load, plain_mapping

    students = read_roster(roster, most=MAX_VARIANTS) if roster else None
    if (variants is None) == (students is None):
        raise SpecError("--variants", "either --variants N or --roster FILE",
                        got_text="both" if variants else "neither", stage="exercises")
    text = read_spec(spec)
    _network_only(text, spec)
    base_spec = load(text, spec, default_title=Path(spec).stem)
    mapping = plain_mapping(text)
    exercise = read_exercise(mapping.pop("exercise", None), spec, dict(base_spec.lines))
    files = exercise_files(mapping, base_spec, exercise, seed=seed, dump=dump_spec,
                           variants=len(students) if students else variants or 0)
    if students:
        files["roster.csv"] = roster_csv(students)
    written, stale = write_listed(files, Path(out), "exercises")
    for line in [*(f"removed {Path(out) / gone} (no longer drawn)" for gone in stale),
                 *(f"wrote {path}" for path in written)]:
        if not quiet:
            click.echo(line, err=True)


def _network_only(text: str, spec: str) -> None:
    """Exercises vary a network's example: a circuit or a typed-layer lesson is refused in
    one line, not read as a network with wrong keys."""
    from .spec.graph import is_graph_spec
    from .spec.tensor import is_tensor_spec
    from .spec.yaml_nodes import compose

    root = compose(text, spec)
    kind = ("a graph: spec (a circuit)" if is_graph_spec(root) else
            "a typed-layer spec (conv, rnn, batch norm)" if is_tensor_spec(root) else None)
    if kind is not None:
        raise SpecError("(spec)", "a network spec (dense layers of units): exercises vary "
                        "a network's example", got_text=kind, file=spec, stage="exercises")


@cli.command("grade")
@click.argument("key")
@click.argument("answers")
@click.option("-o", "--out", default=None, help="The graded CSV.  [default: standard output]")
def grade_command(key: str, answers: str, out: str | None) -> None:
    """Grade a class's ANSWERS (CSV: variant,quantity,answer[,student]) against KEY."""
    from .exercises.grade import grade_answers

    graded, count, right = grade_answers(key, answers)
    if out is None:
        click.echo(graded, nl=False)
    else:
        write_outputs({Path(out).name: graded}, Path(out).parent)
    click.echo(f"graded {counted(count, 'answer')}: {right} right", err=True)


@cli.command("site")
@click.argument("specs_dir", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", required=True,
              help="Folder for the MkDocs project (outside SPECS_DIR).")
@click.option("--force", is_flag=True,
              help="Overwrite an mkdocs.yml in --out that derive-backprop did not write.")
@click.option("--book", default=None, help="Also write the whole course as one LaTeX file here.")
@click.option("--title", default=None, help="Course title.  [default: the folder's name]")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Specs derived in parallel.  [default: one per CPU]")
@check_options
def site_command(specs_dir: str, out: str, force: bool, book: str | None, title: str | None,
                 jobs: int | None, seed: int, no_limits: bool, quiet: bool, oracle: str) -> None:
    """Build a MkDocs course site from every spec under SPECS_DIR (and a LaTeX book).

    A later run into the same --out removes the pages of specs that are gone (only files
    its manifest says it wrote) and refuses an mkdocs.yml it did not write."""
    specs = site_specs(specs_dir, out, book=book, title=title, force=force)
    options = options_from_flags(seed, no_limits, oracle, chapter=bool(book))
    with click.progressbar(length=len(specs), label="Deriving", file=sys.stderr,
                           show_pos=True, hidden=quiet) as bar:
        results = run_course(Path(specs_dir), specs, options, progress=bar.update,
                             jobs=min(jobs or os.cpu_count() or 1, len(specs)))
    lines, failed = write_course(results, specs_dir, out, book=book, title=title)
    _say(lines, quiet)
    if failed:
        raise failed


@cli.command("list")
def list_command() -> None:
    """Show every name a spec may use (activations, losses, optimizers, init schemes,
    notations), one plain line each."""
    click.echo("".join(f"{line}\n" for line in catalog_lines()), nl=False)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a ``DeriveError`` becomes its message and exit code, never a traceback."""
    try:
        cli.main(args=argv, prog_name="derive-backprop", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:           # Ctrl-C reaching click as KeyboardInterrupt
        click.echo("derive-backprop: interrupted", err=True)
        sys.exit(130)
    sys.exit(0)
