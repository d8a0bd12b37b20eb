"""The ``coopreport`` command (also ``python -m analysis``): :func:`main`.

The commands are in :mod:`analysis.cli.commands`, the options in :mod:`analysis.cli.parser`.
This is the top of the package: the only place that may import every stage.

Exit codes, by cause (:mod:`analysis.core.errors` has the table): 0 success; 1 the work
failed (a report did not build or timed out, a connector's source or a renderer failed);
2 bad usage, data, parameters, or an output folder that is not coopreport's; 69 a tool or
service is missing or unreachable (Quarto, Dask); 70 a bug in coopreport; 74 cannot write (a
full disk, permissions); 75 another build holds the output folder; 128 + the signal's number
when a build was stopped (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence

from analysis.cli.parser import build_parser
from analysis.core.errors import EXIT_INTERNAL, EXIT_IO, EXIT_OK, CoopReportError
from analysis.core.version import __version__

__all__ = ["build_parser", "main"]

log = logging.getLogger("analysis")

def _setup_logging(verbose: bool) -> None:
    from analysis.core.logs import configure_logging

    configure_logging(logging.DEBUG if verbose else logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return int(args.func(args))
    except CoopReportError as exc:  # each kind of failure has its exit code
        print(f"coopreport: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP during a build
        signum = int(getattr(exc, "signum", signal.SIGINT))
        # a report stopped mid-cell leaves nbclient's cell task failed ("Kernel died"); asyncio
        # would print its traceback at exit, although the stop was ours and is reported here
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print(f"coopreport: interrupted ({signal.Signals(signum).name})", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # the system refused a read or write we did not expect to fail
        log.debug("unexpected system error", exc_info=True)
        print(f"coopreport: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}"
              " (check free disk space and permissions; -v shows where it happened)",
              file=sys.stderr)
        return EXIT_IO
    except Exception:  # noqa: BLE001  (a bug: keep its traceback, give it its own exit code)
        import traceback

        traceback.print_exc()
        print(f"coopreport: internal error (a bug in coopreport {__version__}); please report "
              "it with the traceback above", file=sys.stderr)
        return EXIT_INTERNAL
