"""argv -> exit code: the only module that reads arguments, prints, or exits.

``derive-backprop SPEC... [-o DIR|-] [--format md|tex|json|all]`` renders;
``derive-backprop list`` shows the registries. Exit codes: 0 success, 1 a
numeric check disagrees, 2 bad input. Only ``DeriveError`` is caught, so a bug
keeps its traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, autodiff
from .check import check
from .derivation import derive
from .errors import CheckFailed, DeriveError, SpecError
from .network import build_network
from .notation import NOTATIONS
from .registry import ACTIVATIONS, INIT_SCHEMES, LOSSES
from .render import FORMATS, render
from .spec import Limits, load
from .worked import work_example
from .write import safe_stem, write_outputs

__all__ = ["main", "cli"]


class _DefaultGroup(click.Group):
    """A group whose default command is ``render``: ``derive-backprop spec.yaml`` just works."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "--version"):
            args = ["render", *args]
        return super().parse_args(ctx, args)


def read_spec(path: str) -> str:
    """The spec's text, or a one-line SpecError for a missing, unreadable or non-UTF-8 file."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except IsADirectoryError:
        raise SpecError("(file)", "a spec file", got_text="a directory", file=path) from None
    except OSError as exc:
        raise SpecError("(file)", "a readable file", got_text=exc.strerror or "an error",
                        file=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpecError("(file)", "UTF-8 text", got_text=f"byte 0x{data[exc.start]:02x}",
                        file=path, line=line) from None


def run_pipeline(path: str, *, seed: int, limits: Limits,
                 methods: tuple[str, ...] = ("finite_difference",)):  # type: ignore[no-untyped-def]
    """Spec file -> (derivation, worked example, check report)."""
    spec = load(read_spec(path), path, limits=limits, default_title=Path(path).stem)
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    return derivation, worked, check(derivation, worked, seed=seed, methods=methods)


def oracle_methods(choice: str) -> tuple[str, ...]:
    """finite differences always; torch when asked for, or with ``auto`` when it is installed."""
    if choice == "torch" and not autodiff.available():
        raise SpecError("--oracle", "torch installed (pip install 'derive-backprop[torch]')",
                        got_text="no torch", stage="derive-backprop")
    if choice == "torch" or (choice == "auto" and autodiff.available()):
        return ("finite_difference", "torch")
    return ("finite_difference",)


def _limits(no_limits: bool) -> Limits:
    return Limits(**{k: 10**9 for k in Limits.__dataclass_fields__}) if no_limits else Limits()


def _parameter_name(derivation, index: int) -> str:  # type: ignore[no-untyped-def]
    role = derivation.gradients[index].role
    return f"dL/d{role.kind}_{role.layer}[{','.join(map(str, role.index))}]"


def disagreement_lines(path: str, derivation, report) -> list[str]:  # type: ignore[no-untyped-def]
    """One line per disagreement, in the errors' format."""
    lines = []
    for d in report.disagreements:
        rel = abs(d.symbolic - d.numeric) / max(1.0, abs(d.numeric))
        lines.append(f"{path}: check: {_parameter_name(derivation, d.parameter)} at {d.point}: "
                     f"expected {d.numeric!r} ({d.method.replace('_', ' ')}), got {d.symbolic!r} "
                     f"(symbolic); rel err {rel:.2g} > 1e-09")
    if not report.matrix_proved:
        lines.append(f"{path}: check: matrix form: expected equal to the scalar results, got a difference")
    if report.paths_proved != report.paths_total:
        lines.append(f"{path}: check: sum over paths: expected equal to the delta form, got "
                     f"{report.paths_total - report.paths_proved} difference(s)")
    return lines


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive-backprop")
def cli() -> None:
    """Turn a YAML network spec into checked backpropagation notes."""


@cli.command("render")
@click.argument("specs", nargs=-1, required=True)
@click.option("-o", "--out", default=".", show_default=True,
              help="Output folder, or - to print one format to stdout.")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "all"]), default="md",
              show_default=True, help="What to write.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random check points.")
@click.option("--no-limits", is_flag=True, help="Lift the size limits (parameters, layers, ...).")
@click.option("--oracle", type=click.Choice(["finite_difference", "torch", "auto"]),
              default="finite_difference", show_default=True,
              help="Oracles to check against; torch needs the [torch] extra.")
def render_command(specs: tuple[str, ...], out: str, fmt: str, seed: int, no_limits: bool,
                   oracle: str) -> None:
    """Derive, check and render each SPEC."""
    formats = FORMATS if fmt == "all" else (fmt,)
    if out == "-" and (len(formats) != 1 or len(specs) != 1):
        raise SpecError("--out", "one spec and one format with -o -",
                        got_text=f"{len(specs)} spec(s), format {fmt}", stage="derive-backprop")
    methods = oracle_methods(oracle)
    for path in specs:
        derivation, worked, report = run_pipeline(path, seed=seed, limits=_limits(no_limits),
                                                  methods=methods)
        files = render(derivation, worked, report, stem=safe_stem(Path(path).stem),
                       formats=formats)
        if out == "-":
            click.echo(next(iter(files.values())), nl=False)
        else:
            for written in write_outputs(files, Path(out)):
                click.echo(f"wrote {written}", err=True)
        if not report.passed:
            for line in disagreement_lines(path, derivation, report):
                click.echo(line, err=True)
            raise CheckFailed("check", "symbolic gradients equal to every oracle",
                              got_text=f"{len(report.disagreements)} disagreement(s)", file=path)


@cli.command("check")
@click.argument("specs", nargs=-1, required=True)
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random check points.")
@click.option("--no-limits", is_flag=True, help="Lift the size limits.")
@click.option("--oracle", type=click.Choice(["finite_difference", "torch", "auto"]),
              default="auto", show_default=True,
              help="auto: finite differences, plus torch when installed.")
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
