"""Building reports: params files and their checks (titles filled from the parameters), the
runner (one report in its own work folder and kernel), kernels forked from a warm template,
local and Dask executors, editions of the output folder and their atomic publication,
incremental builds, provenance, build records and the lock, the papermill engine and the
runner's terminal display.

Decides what to build and where it is published; the renderers only render. May import every
stage below it: :mod:`analysis.render`, :mod:`analysis.report`, :mod:`analysis.measures`,
:mod:`analysis.data`, :mod:`analysis.core`.
"""

from analysis.core.moved import moved

# Names of the module analysis.build before the package was grouped by stage (it is this
# package now): each is in the submodule named here. Code written for the old module fails
# with an ImportError that names it.
_MOVED = {
    **dict.fromkeys((
        "BUILT", "STAGING_FIELDS", "BuildOptions", "ReportResult", "write_manifest",
        "write_summary"
    ), "analysis.build.records"),
    **dict.fromkeys((
        "FAILED_DIR", "LOCK_NAME", "SUMMARY_NAME", "WORK_DIR"
    ), "analysis.build.layout"),
    **dict.fromkeys(("release_lock", "take_lock"), "analysis.build.lock"),
    **dict.fromkeys(("kernel_manager_class",), "analysis.build.kernels"),
    **dict.fromkeys(("STOP_SIGNALS", "BuildInterrupted"), "analysis.build.signals"),
    **dict.fromkeys((
        "report_timeout", "report_inputs", "full_parameters", "run_report", "timeout_message"
    ), "analysis.build.runner"),
    **dict.fromkeys(("publish_result",), "analysis.build.publish"),
    **dict.fromkeys(("build_reports",), "analysis.build.builder"),
}


def __getattr__(name: str) -> object:
    moved("analysis.build", name, _MOVED, "docs/design.md ('Layout and layers') lists the modules")
