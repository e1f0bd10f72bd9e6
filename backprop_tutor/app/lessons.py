"""The lessons as files a student can open: ``backprop-tutor lessons [DEST] [--force]``.

    backprop-tutor lessons ~/backprop            # ~/backprop/notebooks/00...09, ~/backprop/img, ~/backprop/examples
    python -m backprop_tutor lessons ~/backprop  # the same

DEST gets the repository's layout — ``notebooks/``, ``img/``, ``examples/`` side by side — so the
notebooks' ``../img/...`` and ``../examples/...`` links work in a copy exactly as in a clone.

An installed wheel carries the lessons in ``backprop_tutor/lessons/`` (setup.py's build hook
copies them there); an editable install or a checkout reads the repository's ``notebooks/`` and
``img/``. The example files are the package's own ``backprop_tutor/examples/*.json``.

Writing never loses a student's work. DEST keeps a small record (``.backprop_tutor_lessons.json``)
of what was written there; a file that is still as written (or already the shipped one) is
refreshed silently, a file the student changed is kept unless ``--force``, and one line says
which files were kept and why.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_FOLDER_ENV", "RECORD", "LessonsMissing", "LessonsReport", "default_folder", "lesson_files",
           "main", "write_and_report", "write_lessons"]

PROG = "backprop-tutor lessons"
PACKAGE = Path(__file__).resolve().parent.parent
#: In an installed wheel: notebooks/ and img/ as setup.py's build hook copied them.
PACKAGED_LESSONS = PACKAGE / "lessons"
#: In a checkout (or an editable install of one): the repository itself.
CHECKOUT = PACKAGE.parent
EXAMPLES = PACKAGE / "examples"
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"
#: The record of what was written into a lessons folder (relative path -> SHA-256).
RECORD = ".backprop_tutor_lessons.json"
#: Overrides the default lessons folder of ``backprop-tutor lab`` and ``lessons`` without DEST.
DEFAULT_FOLDER_ENV = "BACKPROP_TUTOR_LESSONS"


class LessonsMissing(RuntimeError):
    """The package has no lessons to write (an installation without them)."""


def default_folder() -> Path:
    """Where ``backprop-tutor lab`` puts the lessons: $BACKPROP_TUTOR_LESSONS, else ~/backprop_tutor_lessons."""
    configured = os.environ.get(DEFAULT_FOLDER_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / "backprop_tutor_lessons"


def _checkout_files(root: Path) -> list:
    """The numbered notebooks and the images they show (not the README's screenshots): the same
    choice as setup.py's build hook makes for the wheel."""
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    images = sorted(path for path in (root / "img").glob("*")
                    if path.is_file() and not path.name.startswith("screenshot_"))
    return notebooks + images


def lesson_files() -> dict:
    """Relative path in a lessons folder (``notebooks/01_....ipynb``, ``img/x.png``,
    ``examples/mazur.json``) -> the file it is copied from, in order."""
    if (PACKAGED_LESSONS / "notebooks").is_dir():
        root = PACKAGED_LESSONS
        files = sorted(path for path in root.rglob("*") if path.is_file())
    elif (CHECKOUT / "notebooks").is_dir():
        root = CHECKOUT
        files = _checkout_files(root)
    else:
        raise LessonsMissing(f"this installation of backprop_tutor has no lessons (neither {PACKAGED_LESSONS} "
                             f"nor a checkout's notebooks/): reinstall it from a wheel or the repository")
    found = {path.relative_to(root).as_posix(): path for path in files}
    if FIRST_NOTEBOOK not in found:
        raise LessonsMissing(f"the lessons in {root} have no {FIRST_NOTEBOOK}")
    found.update((f"examples/{path.name}", path) for path in sorted(EXAMPLES.glob("*.json")))
    return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_record(dest: Path) -> dict:
    try:
        record = json.loads((dest / RECORD).read_text("utf-8"))
        files = record.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}  # no record (a first copy) or an unreadable one: every differing file counts as edited


@dataclass
class LessonsReport:
    """What :func:`write_lessons` did, file by file (relative paths)."""

    dest: Path
    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)       # still as written before (or forced): replaced
    unchanged: list = field(default_factory=list)     # already the shipped file
    kept: list = field(default_factory=list)          # changed by the student: left alone (no --force)

    def summary(self) -> str:
        """One line: where the lessons are and how many files were written."""
        return (f"lessons in {self.dest}: {len(self.new)} new, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged; start with {FIRST_NOTEBOOK}")

    def kept_line(self) -> str | None:
        """One line naming the files left alone and why, or None when none were."""
        if not self.kept:
            return None
        files = "file" if len(self.kept) == 1 else "files"
        return (f"kept {len(self.kept)} {files} you changed, not overwritten (--force overwrites them): "
                + ", ".join(self.kept))


def write_lessons(dest, force: bool = False) -> LessonsReport:
    """Write the lessons into ``dest`` (created if needed); never overwrite a student's edit unless ``force``.

    A file in ``dest`` is replaced when it is missing, when it is still byte for byte what was
    written there last time (the record says so: an unedited copy of an older release), or with
    ``force``; a file that is already the shipped one is left as it is; any other file is kept.
    """
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} is a file, not a folder")
    sources = lesson_files()
    record = _read_record(dest)
    report = LessonsReport(dest)
    written = {}
    for relative, source in sources.items():
        data = source.read_bytes()
        digest = _digest(data)
        target = dest / relative
        if not target.exists():
            bucket = report.new
        elif target.is_file() and _digest(target.read_bytes()) == digest:
            report.unchanged.append(relative)
            written[relative] = digest
            continue
        elif force or (target.is_file() and record.get(relative) == _digest(target.read_bytes())):
            bucket = report.updated
        else:
            report.kept.append(relative)
            if relative in record:
                written[relative] = record[relative]  # still edited next time
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        bucket.append(relative)
        written[relative] = digest
    (dest / RECORD).write_text(json.dumps({"files": written}, indent=1, sort_keys=True) + "\n", "utf-8")
    return report


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, as the main command line does; --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Write the tutorial's numbered notebooks, with the images and "
                                            "example files they read, into a folder you can open in Jupyter.")
    parser.add_argument("dest", nargs="?", default=None, metavar="DEST",
                        help=f"the folder to write into (default: ${DEFAULT_FOLDER_ENV}, "
                             "else ~/backprop_tutor_lessons)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files you changed (without it they are kept, and named)")
    return parser


def write_and_report(dest, force: bool, prog: str = PROG) -> int:
    """Write the lessons and print what happened (shared with ``backprop-tutor lab``); exit status."""
    try:
        report = write_lessons(dest, force=force)
    except (LessonsMissing, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    kept = report.kept_line()
    if kept:
        print(kept)
    return 0


def main(argv=None) -> int:
    """``backprop-tutor lessons [DEST] [--force]``; returns the exit status."""
    options = _parser().parse_args(argv)
    return write_and_report(default_folder() if options.dest is None else options.dest, options.force)


if __name__ == "__main__":
    sys.exit(main())
