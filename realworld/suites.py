"""Run real old libraries' own test suites: at baseline, under the layer, and ported.

    python realworld/suites.py                       # the default set (see --help)
    python realworld/suites.py --lib hbmqtt --mode layer --python 3.13

Each library is a pinned sdist from PyPI (downloaded at run time into a cache
outside git, checked against its sha256, reused), run in a fresh copy of that
sdist with pytest (``--junitxml`` for per-test outcomes) in a venv made per
(interpreter, purpose):

- ``baseline``: plainly, on the Python the library last ran on;
- ``layer``: ``python -m legacy_coro run -m pytest ...``, legacy_coro installed
  into the venv from the checkout this script lives in;
- ``port``: ``legacy-coro port`` (this checkout's code, on the Python running
  this script) over the library and its tests (and over the dependencies that
  are themselves generator-style, installed ported), then pytest plainly, with
  legacy_coro not installed.

Every run is compared per test with the baseline run of the same sdist (run now,
or cached from an earlier run of this script with the same sdist, pins and
options).  A test that passes at baseline and not in a run is *lost*, unless an
entry of the allowlist (realworld/allowlist.json) covers it.  Exit status: 0 no
test lost; 1 a test lost, or a baseline that passed fewer tests than expected; 2
a usage or setup error (interpreter missing, download failed, ...); 130/143
interrupted.
"""

import argparse
import concurrent.futures
import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

CHECKOUT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DEFAULT_ALLOWLIST = HERE / "allowlist.json"

#: bump when a change here makes earlier cached baseline results incomparable
HARNESS_VERSION = 1

MODES = ("baseline", "layer", "port", "port-lc")
#: what runs when --mode is not given; port-lc (ported, with legacy_coro installed for the
#: functions the port leaves on legacy_coro.coroutine) is asked for by name
DEFAULT_MODES = ("baseline", "layer", "port")

PASSED, FAILED, ERROR, SKIPPED, MISSING = "passed", "failed", "error", "skipped", "missing"


# ---------------------------------------------------------------- the libraries

class Sdist(NamedTuple):
    """A source distribution on PyPI, pinned by version and sha256."""

    name: str
    version: str
    sha256: str


class Library(NamedTuple):
    """One real library whose own suite is run."""

    name: str
    sdist: Sdist
    baseline: str  #: "X.Y", the Python the library last ran on
    expected_baseline: int  #: tests passing at baseline when this was written
    deps: Tuple[str, ...]  #: pinned requirements of the library (not its test tools)
    #: dependencies that are generator-style libraries too: in port mode they are
    #: ported and installed from their ported sdist instead of from PyPI
    ported_deps: Tuple[Sdist, ...]
    port_paths: Tuple[str, ...]  #: what `legacy-coro port` rewrites, relative to the sdist root
    test_paths: Tuple[str, ...]
    deselect: Tuple[Tuple[str, str], ...]  #: (pytest node id, why)
    test_timeout: float  #: pytest-timeout per test, seconds
    #: layer mode: the opt-in behaviour changes the suite needs restored
    #: (``legacy-coro run --restore``), each with the tests that showed it
    restore: Tuple[str, ...] = ()
    #: the modes run when --mode is not given (any mode runs when asked for by name)
    default_modes: Tuple[str, ...] = ("baseline", "layer", "port")
    #: layer mode's interpreters when --python is not given (empty: DEFAULT_LAYER_PYTHONS;
    #: --all-pythons runs those for every library)
    layer_pythons: Tuple[str, ...] = ()
    #: environment variables the suite reads, for every run of it
    env: Tuple[Tuple[str, str], ...] = ()


#: The layer's interpreters for the asyncio.async generation by default: the first
#: Python without generator coroutines (3.12) and the newest (3.16, CPython's main
#: branch, where it is built); --all-pythons adds 3.13-3.15.  Measured on the 2-core
#: machine, warm cache: 60 s of suites per interpreter for the three of them
#: (realworld/README.md).
OLD_GENERATION_LAYER_PYTHONS = ("3.12", "3.16?")

#: websockets' own knob for slow machines: its timing tests ("Too slow: 0.0293 >= 0.029")
#: wait and allow 10 ms per unit instead of 1 ms; on the shared 2-core machine a loaded
#: run missed the 1 ms budget now and then (3.16.0a0, an unoptimised build), and 5 ms
#: once (0.147 >= 0.145) while `tox p` ran the other environments' suites beside it
WEBSOCKETS_ENV = (("WEBSOCKETS_TESTS_TIMEOUT_FACTOR", "10"),)

WEBSOCKETS_SDIST = Sdist(
    "websockets", "6.0", "8f3b956d11c5b301206382726210dc1d3bee1a9ccf7aadf895aaf31f71c3716c")

LIBRARIES: Dict[str, Library] = {
    "websockets": Library(
        name="websockets",
        sdist=WEBSOCKETS_SDIST,
        baseline="3.7",
        expected_baseline=422,
        deps=(),
        ported_deps=(),
        port_paths=("websockets",),  # its tests live inside the package
        test_paths=("websockets",),
        deselect=(),
        test_timeout=10.0,
        # wait_for-inline: {Client,Server}Tests::test_simultaneous_close (3.12+);
        # CancelledError-base: server.py's handler catches the cancellation in
        # `except Exception` to close with 1001 (4 ClientServerTests, 3.8+)
        restore=("wait_for-inline", "CancelledError-base"),
        env=WEBSOCKETS_ENV,
    ),
    "hbmqtt": Library(
        name="hbmqtt",
        sdist=Sdist("hbmqtt", "0.9.5",
                    "9886b1c8321d16e971376dc609b902e0c84118846642b5e09f08a4ca876a7f2a"),
        baseline="3.8",
        expected_baseline=88,
        # the sdist's hbmqtt.egg-info (found on sys.path from the sdist root) carries the
        # plugin entry points; pkg_resources checks these requirements when it loads them
        deps=("transitions==0.6.4", "websockets==6.0", "passlib==1.7.4", "docopt==0.6.2",
              "PyYAML==6.0.3"),
        ported_deps=(WEBSOCKETS_SDIST,),
        port_paths=("hbmqtt", "tests"),
        test_paths=("tests",),
        deselect=(
            ("tests/test_client.py::MQTTClientTest::test_connect_tcp",
             "connects to test.mosquitto.org"),
            ("tests/test_client.py::MQTTClientTest::test_connect_tcp_secure",
             "connects to test.mosquitto.org"),
        ),
        test_timeout=10.0,
        # wait_closed-connections: Broker.shutdown() closes its listeners, then waits
        # (ProtocolHandlerTest on 3.12.1, BrokerTest::test_client_publish_invalid_topic)
        restore=("wait_closed-connections",),
    ),
    "janus": Library(
        name="janus",
        sdist=Sdist("janus", "0.3.2",
                    "a90e86b4ac848d0608700713ed671bf8d9adc6f9ecbcabfab0f5cd95b869e274"),
        baseline="3.7",  # 0.3.2 (2018-07) is the release that "fixed python3.7 support"
        expected_baseline=67,
        deps=(),
        ported_deps=(),
        port_paths=("janus", "tests"),
        test_paths=("tests",),  # unittest classes; no pytest plugin needed
        deselect=(),
        test_timeout=10.0,
    ),
    # The generation before, which calls asyncio.async() (nothing after 3.6 imports
    # it): baseline 3.6.  Their port mode works when asked for (--mode port); it is
    # not in their default modes yet.
    "irc3": Library(
        name="irc3",
        sdist=Sdist("irc3", "0.9.8",
                    "7dbb49c662143c06a67810a1de46e663a14de4934309472124c0a087fad863ed"),
        baseline="3.6",
        expected_baseline=177,
        # its setup.py's install and test requirements, pinned (venusian 3.0.0 is the
        # last for 3.6, 3.1.1 the first for 3.12); pytest-asyncio 0.16.0 still runs
        # generator test functions marked asyncio, and loads through its entry point
        deps=("venusian==3.0.0; python_version < '3.7'",
              "venusian==3.1.1; python_version >= '3.7'",
              "docopt==0.6.2", "pytest-asyncio==0.16.0", "feedparser==6.0.12",
              "requests==2.27.1", "twitter==1.19.6", "aiocron==1.8", "croniter==6.0.0",
              "redis==4.3.6"),
        ported_deps=(),
        port_paths=("irc3", "irc3d", "tests", "conftest.py"),
        # setup.cfg's addopts: --doctest-modules and the *.rst doctests too
        test_paths=("irc3", "irc3d", "tests", "docs", "README.rst"),
        # nothing reaches the network: its feeds, search and social tests mock it,
        # and the redis doctests skip themselves without a server (conftest.py)
        deselect=(),
        test_timeout=10.0,
        # fd-used-by-transport, transport-socket: the DCC file sends write to their
        # transport's socket themselves (tests/test_dcc.py, 6 tests)
        restore=("fd-used-by-transport", "transport-socket"),
        layer_pythons=OLD_GENERATION_LAYER_PYTHONS,
        # ported, its suite loses tests to pytest-asyncio-era generator tests and removed
        # non-asyncio names (assertEquals, base64.encodestring): run by name (--mode port)
        default_modes=("baseline", "layer"),
    ),
    "websockets-4.0.1": Library(
        name="websockets-4.0.1",
        sdist=Sdist("websockets", "4.0.1",
                    "da4d4fbe059b0453e726d6d993760065d69b823a27efc3040402a6fcfe6a1ed9"),
        baseline="3.6",
        expected_baseline=368,
        deps=(),
        ported_deps=(),
        port_paths=("websockets",),  # its tests live inside the package
        test_paths=("websockets",),
        deselect=(),
        test_timeout=10.0,
        # CancelledError-base: server.py's handler catches the cancellation in
        # `except Exception` to close with 1001 (4 ClientServerTests, 3.8+)
        restore=("CancelledError-base",),
        env=WEBSOCKETS_ENV,
        layer_pythons=OLD_GENERATION_LAYER_PYTHONS,
    ),
    "janus-0.3.0": Library(
        name="janus-0.3.0",
        sdist=Sdist("janus", "0.3.0",
                    "512664f442f31c9559a3d162e63c5a9b1f146b3e9b9e3442f9b4791284347b21"),
        baseline="3.6",
        expected_baseline=66,  # and 3 expectedFailure tests, counted as skipped
        deps=(),
        ported_deps=(),
        port_paths=("janus", "tests"),
        test_paths=("tests",),
        deselect=(),
        test_timeout=10.0,
        layer_pythons=OLD_GENERATION_LAYER_PYTHONS,
    ),
}

DEFAULT_LAYER_PYTHONS = ("3.12", "3.13", "3.14?", "3.15?", "3.16?")  # "?": only where it exists
#: port mode's interpreters: the port's output (its default target, 3.10+) on 3.13 and on
#: the newer ones built here
DEFAULT_PORT_PYTHONS = ("3.13", "3.14?", "3.15?")


def test_tools(version: Tuple[int, int]) -> Tuple[str, ...]:
    """Return the pinned pytest, pytest-timeout and setuptools for a Python version."""
    # setuptools < 81 keeps pkg_resources (hbmqtt loads its plugins with it); 3.6 and
    # 3.7 get the newest pytest and pytest-timeout that still support them
    if version < (3, 7):
        return ("pytest==7.0.1", "pytest-timeout==2.1.0", "setuptools<81", "wheel")
    pytest = "pytest==7.4.4" if version < (3, 8) else "pytest==8.3.5"
    return (pytest, "pytest-timeout==2.3.1", "setuptools<81", "wheel")


# TLS 1.0 for websockets' SSLContext(PROTOCOL_TLSv1) tests: OpenSSL 3 refuses it at
# its default security level
OPENSSL_CONF = """\
openssl_conf = openssl_init

[openssl_init]
ssl_conf = ssl_sect

[ssl_sect]
system_default = system_default_sect

[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
"""


# ---------------------------------------------------------------- errors, children

class SetupError(Exception):
    """Something needed to run a suite is missing or failed; the message says what to do."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_CHILDREN: List["subprocess.Popen[bytes]"] = []


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        process.kill()


#: set when the script is stopping (a signal, an error): no new child starts
_STOPPING = threading.Event()


def _on_signal(signum: int, frame: Any) -> None:
    _STOPPING.set()
    for child in list(_CHILDREN):
        _kill_group(child)
    raise Interrupted(signum)


class Completed(NamedTuple):
    returncode: Optional[int]  #: None when killed on timeout
    output: str
    duration: float


def run(cmd: Sequence[str], *, cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
        timeout: Optional[float] = None, log: Optional[Path] = None) -> Completed:
    """Run a child in its own process group; kill the whole group on timeout or interrupt.

    Output (stdout and stderr together) goes to ``log`` when given, else is returned.
    """
    start = time.monotonic()
    if _STOPPING.is_set():
        raise Interrupted(signal.SIGTERM)
    with contextlib.ExitStack() as stack:
        if log is not None:
            sink: Any = stack.enter_context(open(log, "wb"))
        else:
            sink = stack.enter_context(tempfile.TemporaryFile())
        process = subprocess.Popen(
            list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=sink,
            stderr=subprocess.STDOUT, start_new_session=True)
        _CHILDREN.append(process)
        if _STOPPING.is_set():  # stopped while it started (another thread's run)
            _kill_group(process)
        try:
            try:
                returncode: Optional[int] = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                returncode = None
        finally:
            # the child's own children (a server a test forgot) go with it, always
            _kill_group(process)
            process.wait()
            _CHILDREN.remove(process)
        if log is not None:
            output = ""
        else:
            sink.seek(0)
            output = sink.read().decode("utf-8", "replace")
    return Completed(returncode, output, time.monotonic() - start)


def _check(result: Completed, what: str) -> str:
    if result.returncode != 0:
        tail = "\n".join(result.output.strip().splitlines()[-15:])
        status = "timed out" if result.returncode is None else f"exit {result.returncode}"
        raise SetupError(f"{what} failed ({status}):\n{tail}")
    return result.output


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (another run of this script sharing the cache waits)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- interpreters

class Python(NamedTuple):
    label: str  #: "3.13"
    executable: str
    version: str  #: full version, "3.13.0"
    info: Tuple[int, int]


def _full_version(executable: str) -> Optional[str]:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print('.'.join(map(str, sys.version_info[:3])))"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _prerelease_builds(spec: str) -> List[str]:
    """Return pyenv builds of X.Y that the shared resolver skips (``3.15.0rc1+``)."""
    from legacy_coro._compare import _pyenv_root

    root = _pyenv_root()
    if root is None:
        return []
    builds = sorted((root / "versions").glob(f"{spec}.*"), key=lambda p: p.name, reverse=True)
    return [str(b / "bin" / f"python{spec}") for b in builds
            if (b / "bin" / f"python{spec}").is_file()]


def find_python(spec: str) -> Python:
    """Resolve "3.13" (or a path) like ``legacy-coro compare --python`` does.

    Raises:
        SetupError: no working interpreter of that version.
    """
    from legacy_coro._compare import resolve_python

    try:
        found = resolve_python(spec)
        executable, label = found.executable, found.label
    except LookupError as exc:
        executable = ""
        if re.fullmatch(r"\d+\.\d+", spec):
            for candidate in _prerelease_builds(spec):
                version = _full_version(candidate)
                if version and version.startswith(spec + "."):
                    executable, label = candidate, spec
                    break
        if not executable:
            raise SetupError(str(exc)) from None
    version = _full_version(executable)
    if version is None:
        raise SetupError(f"{executable} did not run as a Python interpreter")
    major, minor = (int(x) for x in version.split(".")[:2])
    return Python(label, executable, version, (major, minor))


# ---------------------------------------------------------------- cache, sdists, venvs

def default_cache() -> Path:
    """Return $LEGACY_CORO_REALWORLD_CACHE, else $XDG_CACHE_HOME/legacy_coro-realworld."""
    explicit = os.environ.get("LEGACY_CORO_REALWORLD_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "legacy_coro-realworld"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pkg_info(tarball: Path) -> Dict[str, str]:
    """Return the Name and Version fields of the sdist's top-level PKG-INFO."""
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                handle = archive.extractfile(member)
                if handle is None:
                    break
                fields: Dict[str, str] = {}
                for line in handle.read().decode("utf-8", "replace").splitlines():
                    key, sep, value = line.partition(": ")
                    if sep and key in ("Name", "Version"):
                        fields.setdefault(key, value.strip())
                return fields
    return {}


def check_sdist(path: Path, sdist: Sdist) -> None:
    """Check that ``path`` is the pinned sdist (sha256, and PKG-INFO's name and version).

    Raises:
        SetupError: it is not.
    """
    digest = _sha256(path)
    if digest != sdist.sha256:
        raise SetupError(f"{path.name}: sha256 {digest}, expected {sdist.sha256} for "
                         f"{sdist.name} {sdist.version}; delete it and run again")
    fields = _pkg_info(path)
    if (fields.get("Name", "").lower(), fields.get("Version")) != (sdist.name, sdist.version):
        raise SetupError(f"{path.name}: PKG-INFO says {fields.get('Name')} "
                         f"{fields.get('Version')}, expected {sdist.name} {sdist.version}")


def ensure_sdist(cache: Path, sdist: Sdist) -> Path:
    """Return the cached sdist, downloading it from PyPI first if needed."""
    directory = cache / "sdists"
    target = directory / f"{sdist.name}-{sdist.version}.tar.gz"
    with _locked(directory / f".{sdist.name}.lock"):
        if target.is_file():
            check_sdist(target, sdist)
            return target
        with tempfile.TemporaryDirectory(dir=directory) as tmp:
            result = run([sys.executable, "-m", "pip", "download", "--no-deps",
                          "--no-binary", ":all:",
                          f"{sdist.name}=={sdist.version}", "-d", tmp], timeout=600)
            if result.returncode != 0:
                tail = "\n".join(result.output.strip().splitlines()[-5:])
                raise SetupError(f"could not download {sdist.name} {sdist.version} from PyPI "
                                 f"with {sys.executable} -m pip:\n{tail}")
            got = list(Path(tmp).iterdir())
            if len(got) != 1 or not got[0].name.endswith(".tar.gz"):
                raise SetupError(f"pip download of {sdist.name} {sdist.version} gave "
                                 f"{[p.name for p in got]}, expected one .tar.gz sdist")
            check_sdist(got[0], sdist)
            os.replace(got[0], target)
    return target


def extract(tarball: Path, into: Path) -> Path:
    """Unpack a fresh copy of the sdist into ``into``; return its root directory."""
    with tarfile.open(tarball) as archive:
        roots = {m.name.split("/")[0] for m in archive.getmembers()}
        if len(roots) != 1:
            raise SetupError(f"{tarball.name}: expected one top-level directory, got {roots}")
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Pythons before the tarfile filters
            archive.extractall(into)
    return into / roots.pop()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(cache: Path, python: Python, purpose: str, requirements: Sequence[str]) -> Path:
    """Return a venv of ``python`` with ``requirements``, made once and reused while they match."""
    spec = {"python": python.executable, "version": python.version, "purpose": purpose,
            "requirements": sorted(requirements)}
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    venv = cache / "venvs" / f"{purpose}-{python.version}-{key}"
    marker = venv / "realworld-spec.json"
    with _locked(cache / "venvs" / f".{venv.name}.lock"):
        if marker.is_file() and venv_python(venv).exists():
            return venv
        if venv.exists():
            shutil.rmtree(venv)
        _check(run([python.executable, "-m", "venv", str(venv)], timeout=300),
               f"making a venv with {python.executable}")
        if python.info < (3, 7):
            # 3.6's own pip (18.1) takes releases that no longer support 3.6; the last
            # pip for 3.6 reads the index's Requires-Python
            _check(run([str(venv_python(venv)), "-m", "pip", "install", "--quiet",
                        "pip==21.3.1"], timeout=600), "upgrading pip (Python 3.6)")
        if requirements:
            _check(run([str(venv_python(venv)), "-m", "pip", "install", "--quiet",
                        *requirements], timeout=1200),
                   f"pip install {' '.join(requirements)} (Python {python.version})")
        marker.write_text(json.dumps(spec, indent=2) + "\n")
    return venv


def pip_install_local(venv: Path, path: Path, what: str) -> None:
    """Install a local source tree into the venv, replacing what is there, offline.

    One at a time (a lock beside the tree): pip builds in the tree itself (``build/``,
    ``*.egg-info``), and two builds of this checkout side by side (--jobs) broke one
    of the installs ("No module named legacy_coro").
    """
    with _locked(Path(tempfile.gettempdir()) / f"legacy-coro-realworld-{_sha(path)}.lock"):
        _check(run([str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--force-reinstall", str(path)], timeout=600),
               f"installing {what}")


def _sha(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]


# ---------------------------------------------------------------- junit, comparison

class Outcome(NamedTuple):
    outcome: str  #: passed, failed, error, skipped
    message: str  #: first line of the failure, error or skip message


def _first_line(text: Optional[str]) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def parse_junit(text: str) -> Dict[str, Outcome]:
    """Return each test's outcome from pytest's ``--junitxml`` report, keyed by test id.

    The id is ``classname::name`` (``pkg.test_mod.Class::test_x``).  A test with a
    teardown error after a failure is an error; a collection error appears with the
    module as its id and counts as an error.
    """
    root = ET.fromstring(text)
    outcomes: Dict[str, Outcome] = {}
    for case in root.iter("testcase"):
        classname = case.get("classname", "")
        test_id = f"{classname}::{case.get('name', '')}" if classname else case.get("name", "")
        found = {child.tag: child for child in case}
        outcome, message = PASSED, ""
        for tag, kind in (("error", ERROR), ("failure", FAILED), ("skipped", SKIPPED)):
            if tag in found:
                element = found[tag]
                outcome = kind
                message = _first_line(element.get("message")) or _first_line(element.text)
                if message == "collection failure":
                    # pytest's message says nothing; its text ends with the exception
                    raised = [line[1:].strip() for line in (element.text or "").splitlines()
                              if line.startswith("E ")]
                    message = raised[-1] if raised else message
                break
        previous = outcomes.get(test_id)
        if previous is not None and previous.outcome != PASSED:
            continue  # the same id twice: keep the worse (the first non-pass)
        outcomes[test_id] = Outcome(outcome, message)
    return outcomes


def count(outcomes: Dict[str, Outcome]) -> Dict[str, int]:
    counts = {PASSED: 0, FAILED: 0, ERROR: 0, SKIPPED: 0}
    for outcome in outcomes.values():
        counts[outcome.outcome] += 1
    return counts


class AllowEntry(NamedTuple):
    lib: str
    test: str  #: fnmatch pattern over test ids
    pythons: Tuple[str, ...]  #: "3.13", "3.10+" or "*"
    modes: Tuple[str, ...]  #: "layer", "port", "*"
    reason: str


def load_allowlist(path: Path) -> List[AllowEntry]:
    """Read the allowlist; every entry needs lib, test, pythons, modes and a reason.

    Raises:
        SetupError: the file is not valid.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SetupError(f"cannot read the allowlist {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise SetupError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise SetupError(f'{path}: expected {{"entries": [...]}}')
    entries = []
    keys = {"lib", "test", "pythons", "modes", "reason"}
    for number, item in enumerate(data["entries"], 1):
        where = f"{path}: entry {number}"
        if not isinstance(item, dict) or set(item) != keys:
            raise SetupError(f"{where}: needs exactly the keys {sorted(keys)}")
        if item["lib"] not in LIBRARIES:
            raise SetupError(f"{where}: unknown lib {item['lib']!r} "
                             f"(one of {', '.join(LIBRARIES)})")
        if not isinstance(item["reason"], str) or not item["reason"].strip():
            raise SetupError(f"{where}: the reason must say why the test is unrelated "
                             "to asyncio")
        pythons = item["pythons"]
        if not (isinstance(pythons, list) and pythons and all(
                isinstance(p, str) and re.fullmatch(r"\*|\d+\.\d+\+?", p) for p in pythons)):
            raise SetupError(f'{where}: pythons must be a list of "3.13", "3.10+" or "*"')
        modes = item["modes"]
        if not (isinstance(modes, list) and modes and all(
                m == "*" or m in MODES for m in modes)):
            raise SetupError(f'{where}: modes must be a list of {", ".join(MODES)} or "*"')
        entries.append(AllowEntry(item["lib"], str(item["test"]), tuple(pythons),
                                  tuple(modes), item["reason"].strip()))
    return entries


def _python_matches(patterns: Sequence[str], info: Tuple[int, int]) -> bool:
    for pattern in patterns:
        if pattern == "*":
            return True
        major, minor = (int(x) for x in pattern.rstrip("+").split("."))
        if (info >= (major, minor)) if pattern.endswith("+") else (info == (major, minor)):
            return True
    return False


def allowed_by(entries: Sequence[AllowEntry], lib: str, mode: str, info: Tuple[int, int],
               test_id: str) -> Optional[AllowEntry]:
    """Return the first allowlist entry that covers this test in this run, if any."""
    for entry in entries:
        if (entry.lib == lib and ("*" in entry.modes or mode in entry.modes)
                and _python_matches(entry.pythons, info)
                and fnmatch.fnmatchcase(test_id, entry.test)):
            return entry
    return None


class Lost(NamedTuple):
    test: str
    outcome: str  #: failed, error, skipped or missing
    message: str
    allowed: Optional[str]  #: the allowlist reason, when allowed


def compare(baseline: Dict[str, Outcome], here: Dict[str, Outcome], *, lib: str, mode: str,
            info: Tuple[int, int], allowlist: Sequence[AllowEntry]
            ) -> Tuple[List[Lost], List[str]]:
    """Return (tests passing at baseline that do not pass here, tests passing only here)."""
    lost = []
    for test_id in sorted(baseline):
        if baseline[test_id].outcome != PASSED:
            continue
        outcome = here.get(test_id, Outcome(MISSING, "not run (absent from the report)"))
        if outcome.outcome == PASSED:
            continue
        # a test that did not run at all is not covered: the proof is about how it fails
        entry = None if outcome.outcome == MISSING \
            else allowed_by(allowlist, lib, mode, info, test_id)
        lost.append(Lost(test_id, outcome.outcome, outcome.message,
                         entry.reason if entry else None))
    gained = sorted(t for t, o in here.items() if o.outcome == PASSED
                    and baseline.get(t, Outcome(MISSING, "")).outcome != PASSED)
    return lost, gained


# ---------------------------------------------------------------- one run

class Options(NamedTuple):
    cache: Path
    timeout: Optional[float]  #: per test; None: the library's own
    run_timeout: float
    allowlist: List[AllowEntry]
    isolate_network: bool
    verbose: bool
    restore: bool = True  #: layer mode: pass the library's opt-in restores


class RunResult(NamedTuple):
    lib: Library
    mode: str
    python: Python
    outcomes: Dict[str, Outcome]
    returncode: Optional[int]
    setup_seconds: float
    test_seconds: float
    port: Optional[Dict[str, Any]]
    log: str
    note: str  #: why the report may be incomplete (timeout, no junit)


def _requirements(lib: Library, python: Python, mode: str) -> Tuple[str, Tuple[str, ...]]:
    """Return (venv purpose, requirements) for a run."""
    deps = lib.deps
    if mode.startswith("port") and lib.ported_deps:
        ported = {s.name for s in lib.ported_deps}
        deps = tuple(d for d in deps if re.split(r"[<>=!~ ]", d)[0].lower() not in ported)
    # the venvs that get legacy_coro or ported dependencies installed are their own; a port
    # run without ported dependencies shares the baseline's plain venv
    if mode in ("layer", "port-lc") or (mode == "port" and lib.ported_deps):
        purpose = mode
    else:
        purpose = "plain"
    return f"{lib.name}-{purpose}", deps + test_tools(python.info)


def _env(cache: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "LEGACY_CORO_", "PYTEST_", "VIRTUAL_ENV"))}
    conf = cache / "openssl-tls1.cnf"
    if not conf.is_file() or conf.read_text() != OPENSSL_CONF:
        conf.write_text(OPENSSL_CONF)
    env["OPENSSL_CONF"] = str(conf)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _network_prefix(isolate: bool) -> List[str]:
    """Give the suite a loopback of its own (fixed ports cannot clash with other runs)."""
    if not isolate:
        return []
    return ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']


def network_isolation_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    try:
        result = subprocess.run([*_network_prefix(True), "true"], stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def port_tree(paths: Sequence[str], root: Path) -> Dict[str, Any]:
    """Run this checkout's ``legacy-coro port --json`` over ``paths``; return its summary.

    The port runs with its default target, as a user would: its output is meant to run
    on every Python from that target up, and each port run tries it on one of them.
    """
    env = dict(os.environ, PYTHONPATH=str(CHECKOUT))
    result = run([sys.executable, "-m", "legacy_coro", "port", "--json", *paths], cwd=root,
                 env=env, timeout=900)
    start = result.output.find("{")
    try:
        report = json.loads(result.output[start:]) if start >= 0 else None
    except ValueError:
        report = None
    if result.returncode not in (0, 1) or report is None:
        tail = "\n".join(result.output.strip().splitlines()[-10:])
        raise SetupError(f"legacy-coro port {' '.join(paths)} (in {root}) failed with "
                         f"exit {result.returncode}:\n{tail}")
    reasons: Dict[str, int] = {}
    for entry in report["files"]:
        for site in entry["sites"]:
            reasons[site["code"]] = reasons.get(site["code"], 0) + 1
    summary = dict(report["summary"])
    summary["sites_by_code"] = dict(sorted(reasons.items()))
    summary["exit_status"] = report["exit_status"]
    summary["uses_legacy_coro"] = sorted(
        str(p.relative_to(root)) for part in paths for p in sorted((root / part).rglob("*.py"))
        if "legacy_coro" in p.read_text(encoding="utf-8", errors="replace"))
    return summary


def run_suite(lib: Library, mode: str, python: Python, options: Options,
              say: Any) -> RunResult:
    """Run one library's suite in one mode on one Python."""
    start = time.monotonic()
    sdist = ensure_sdist(options.cache, lib.sdist)
    purpose, requirements = _requirements(lib, python, mode)
    venv = ensure_venv(options.cache, python, purpose, requirements)
    workdir = options.cache / "runs" / f"{lib.name}-{mode}-{python.version}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    root = extract(sdist, workdir)
    port = None
    if mode == "layer":
        pip_install_local(venv, CHECKOUT, f"legacy_coro from {CHECKOUT}")
    if mode.startswith("port"):
        port = port_tree(lib.port_paths, root)
        port["dependencies"] = {}
        for dep in lib.ported_deps:
            dep_root = extract(ensure_sdist(options.cache, dep), workdir / "deps")
            port["dependencies"][dep.name] = port_tree((dep.name,), dep_root)
            pip_install_local(venv, dep_root, f"{dep.name} {dep.version}, ported")
        if mode == "port-lc":
            pip_install_local(venv, CHECKOUT, f"legacy_coro from {CHECKOUT}")
        else:
            check = run([str(venv_python(venv)), "-c", "import legacy_coro"], cwd=root,
                        env=_env(options.cache))
            if check.returncode == 0:
                raise SetupError(f"legacy_coro is importable in {venv}; port mode runs "
                                 "without it")
    junit = workdir / "junit.xml"
    log = workdir / "pytest.log"
    timeout = options.timeout if options.timeout is not None else lib.test_timeout
    cmd = [*_network_prefix(options.isolate_network), str(venv_python(venv))]
    if mode == "layer":
        cmd += ["-m", "legacy_coro", "run"]
        if lib.restore and options.restore:
            cmd += ["--restore", ",".join(lib.restore)]
    cmd += ["-m", "pytest", *lib.test_paths, "-p", "no:cacheprovider", f"--junitxml={junit}",
            f"--timeout={timeout:g}", "-rfE", "-q"]
    for node, _why in lib.deselect:
        cmd += ["--deselect", node]
    setup_seconds = time.monotonic() - start
    say(f"  {lib.name} {mode} {python.version}: running the suite (log: {log})")
    result = run(cmd, cwd=root, env=dict(_env(options.cache), **dict(lib.env)),
                 timeout=options.run_timeout, log=log)
    note = ""
    outcomes: Dict[str, Outcome] = {}
    if result.returncode is None:
        note = f"killed after {options.run_timeout:g} s (--run-timeout)"
    if junit.is_file():
        try:
            outcomes = parse_junit(junit.read_text(encoding="utf-8"))
        except ET.ParseError as exc:
            note = note or f"unreadable junit report ({exc})"
    elif not note:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        note = f"pytest exited {result.returncode} without a report: " + " / ".join(tail)
    c = count(outcomes)
    say(f"  {lib.name} {mode} {python.version}: {c[PASSED]} passed, {c[FAILED]} failed, "
        f"{c[ERROR]} errors, {c[SKIPPED]} skipped (setup {_seconds(setup_seconds)}, "
        f"tests {_seconds(result.duration)}){'; ' + note if note else ''}")
    return RunResult(lib, mode, python, outcomes, result.returncode, setup_seconds,
                     result.duration, port, str(log), note)


# ---------------------------------------------------------------- baseline cache

def _baseline_key(lib: Library, python: Python, options: Options) -> str:
    spec = {"harness": HARNESS_VERSION, "sdist": lib.sdist.sha256, "python": python.version,
            "requirements": _requirements(lib, python, "baseline")[1],
            "deselect": lib.deselect, "test_paths": lib.test_paths,
            "timeout": options.timeout, "isolate_network": options.isolate_network}
    if lib.env:  # only then: the cached baselines of the others stay valid
        spec["env"] = lib.env
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def baseline_cache_path(lib: Library, python: Python, options: Options) -> Path:
    return (options.cache / "results"
            / f"{lib.name}-{lib.sdist.version}-baseline-{_baseline_key(lib, python, options)}.json")


def save_baseline(path: Path, result: RunResult) -> None:
    if result.note:
        return  # an incomplete run is no baseline to reuse
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"python": result.python.version,
            "outcomes": {k: list(v) for k, v in sorted(result.outcomes.items())}}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def load_baseline(path: Path) -> Optional[Dict[str, Outcome]]:
    try:
        data = json.loads(path.read_text())
        return {k: Outcome(*v) for k, v in data["outcomes"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------- report

def _seconds(value: float) -> str:
    return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"


def table(rows: Sequence[Sequence[str]]) -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


class Report(NamedTuple):
    result: RunResult
    lost: List[Lost]
    gained: List[str]


def render(reports: Sequence[Report], problems: Sequence[str]) -> List[str]:
    rows = [["lib", "mode", "python", "passed", "failed", "errors", "skipped", "lost",
             "allowed", "setup", "tests"]]
    for rep in reports:
        r = rep.result
        c = count(r.outcomes)
        unallowed = sum(1 for x in rep.lost if x.allowed is None)
        rows.append([r.lib.name, r.mode, r.python.version, str(c[PASSED]), str(c[FAILED]),
                     str(c[ERROR]), str(c[SKIPPED]),
                     "-" if r.mode == "baseline" else str(unallowed),
                     "-" if r.mode == "baseline" else str(len(rep.lost) - unallowed),
                     _seconds(r.setup_seconds), _seconds(r.test_seconds)])
    lines = table(rows)
    for rep in reports:
        r = rep.result
        head = f"{r.lib.name} {r.mode} {r.python.version}"
        if r.note:
            lines.append(f"{head}: {r.note}")
        if r.port is not None:
            p = r.port
            codes = ", ".join(f"{k} {v}" for k, v in p["sites_by_code"].items()) or "none"
            lines.append(f"{head}: port changed {p['files_changed']} file(s), converted "
                         f"{p['functions_converted']} function(s); sites: {codes}"
                         + (f"; {p['files_not_ported']} file(s) not ported"
                            if p["files_not_ported"] else ""))
            for name, dep in p.get("dependencies", {}).items():
                dcodes = ", ".join(f"{k} {v}" for k, v in dep["sites_by_code"].items()) or "none"
                lines.append(f"{head}: dependency {name} ported: {dep['files_changed']} "
                             f"file(s), {dep['functions_converted']} function(s); sites: {dcodes}")
        # a module that does not import is one error, not a line per test it holds
        broken = sorted((t, o.message) for t, o in r.outcomes.items()
                        if o.outcome == ERROR and "::" not in t)
        for module, message in broken:
            lines.append(f"{head}: {module} not collected: {message}")
        if rep.lost:
            shown = [x for x in rep.lost if x.allowed is None]
            missing = [x for x in shown if x.outcome == MISSING]
            lines.append(f"{head}: {len(shown)} test(s) pass at baseline and not here"
                         + (f" (+{len(rep.lost) - len(shown)} allowed)"
                            if len(shown) != len(rep.lost) else "")
                         + (f", {len(missing)} of them not run" if missing else ""))
            for x in shown:
                if x.outcome != MISSING or len(missing) <= 10:
                    lines.append(f"    {x.test}  [{x.outcome}] {x.message}")
        if rep.gained and r.mode != "baseline":
            lines.append(f"{head}: {len(rep.gained)} test(s) pass here and not at baseline: "
                         + ", ".join(rep.gained[:5]) + (" ..." if len(rep.gained) > 5 else ""))
    lines += problems
    return lines


def to_json(reports: Sequence[Report], problems: Sequence[str], status: int,
            total_seconds: float) -> Dict[str, Any]:
    runs = []
    for rep in reports:
        r = rep.result
        runs.append({
            "lib": r.lib.name, "version": r.lib.sdist.version, "sdist_sha256": r.lib.sdist.sha256,
            "mode": r.mode, "python": r.python.version, "executable": r.python.executable,
            "counts": count(r.outcomes), "returncode": r.returncode, "note": r.note,
            "lost": [x._asdict() for x in rep.lost], "gained": rep.gained,
            "port": r.port, "setup_seconds": round(r.setup_seconds, 1),
            "test_seconds": round(r.test_seconds, 1), "log": r.log,
            "outcomes": {k: list(v) for k, v in sorted(r.outcomes.items())},
        })
    return {"harness": HARNESS_VERSION, "checkout": str(CHECKOUT), "runs": runs,
            "problems": list(problems), "exit_status": status,
            "total_seconds": round(total_seconds, 1)}


# ---------------------------------------------------------------- command line

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="realworld/suites.py",
        description="Run the own test suites of real generator-style asyncio libraries at "
                    "baseline, under legacy_coro's layer and after legacy-coro port, and "
                    "compare each test with the baseline.",
        epilog="Default set: every library; baseline on its own Python; layer on "
               f"{', '.join(DEFAULT_LAYER_PYTHONS)} (the asyncio.async generation: "
               f"{', '.join(OLD_GENERATION_LAYER_PYTHONS)}; --all-pythons: all); port on "
               f"{', '.join(DEFAULT_PORT_PYTHONS)} for every library but irc3 "
               "('?': only where that interpreter exists; 'baseline': the library's own). "
               "Exit status: 0 no test lost, 1 a test passing at baseline did not pass "
               "(less the allowlist) or a baseline passed fewer tests than expected, "
               "2 usage or setup error.",
    )
    parser.add_argument("--lib", action="append", choices=sorted(LIBRARIES),
                        help="library to run (repeatable; default: all)")
    parser.add_argument("--mode", action="append", choices=MODES,
                        help="mode to run (repeatable; default: baseline, layer, port); "
                             "port-lc: ported, with legacy_coro installed for what the port "
                             "leaves on legacy_coro.coroutine")
    parser.add_argument("--python", action="append", metavar="VERSION",
                        help="interpreter for the layer and port runs, e.g. 3.13, a path, or "
                             "'baseline' (repeatable; a trailing '?' skips it when missing); "
                             "default: see below")
    parser.add_argument("--all-pythons", action="store_true",
                        help="layer mode: run every library on every default interpreter "
                             f"({', '.join(DEFAULT_LAYER_PYTHONS)}); by default the "
                             "asyncio.async generation (irc3, websockets-4.0.1, janus-0.3.0) "
                             f"runs on {', '.join(OLD_GENERATION_LAYER_PYTHONS)} only")
    parser.add_argument("--cache", type=Path, default=None,
                        help="where sdists, venvs, run copies and baseline results live "
                             "(default: $LEGACY_CORO_REALWORLD_CACHE, else "
                             "$XDG_CACHE_HOME/legacy_coro-realworld)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="per-test timeout (pytest-timeout; default: 10, about four times "
                             "the slowest test at baseline)")
    parser.add_argument("--run-timeout", type=float, default=1200.0, metavar="SECONDS",
                        help="kill a whole suite run after this long (default: 1200)")
    parser.add_argument("--allowlist", type=Path, default=DEFAULT_ALLOWLIST,
                        help="tests proven unrelated to asyncio "
                             "(default: realworld/allowlist.json)")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE",
                        help="also write the results as JSON (default: <cache>/last.json)")
    parser.add_argument("--no-isolate-network", dest="isolate_network",
                        action="store_false",
                        help="run the suites on the machine's own network (by default each "
                             "runs in a network namespace of its own when `unshare` works, so "
                             "hbmqtt's fixed ports cannot clash with another run)")
    parser.add_argument("--no-restore", dest="restore", action="store_false",
                        help="layer mode: run without the opt-in behaviour changes each library "
                             "asks legacy-coro run to restore (to see what they are for)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="run N libraries side by side (default: 2; each library's own "
                             "runs go one after another)")
    parser.add_argument("--rerun-baseline", action="store_true",
                        help="run the baseline even when a cached result matches")
    return parser


def _plan(args: argparse.Namespace) -> List[Tuple[Library, str, str, bool]]:
    """Return (library, mode, python spec, optional) for every run asked for."""
    libs = [LIBRARIES[name] for name in (args.lib or sorted(LIBRARIES))]
    plan = []
    for lib in libs:
        modes = args.mode or [mode for mode in DEFAULT_MODES if mode in lib.default_modes]
        for mode in modes:
            if mode == "baseline":
                specs: Sequence[str] = ["baseline"]
            elif args.python:
                specs = args.python
            elif mode == "layer":
                specs = DEFAULT_LAYER_PYTHONS if args.all_pythons or not lib.layer_pythons \
                    else lib.layer_pythons
            else:
                specs = DEFAULT_PORT_PYTHONS
            for spec in specs:
                optional = spec.endswith("?")
                spec = spec.rstrip("?")
                plan.append((lib, mode, lib.baseline if spec == "baseline" else spec, optional))
    seen = set()
    unique = []
    for item in plan:
        if (item[0].name, item[1], item[2]) not in seen:
            seen.add((item[0].name, item[1], item[2]))
            unique.append(item)
    return unique


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.timeout is not None and args.timeout <= 0:
        parser.error("--timeout must be positive")
    if args.run_timeout <= 0:
        parser.error("--run-timeout must be positive")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _main(args)
    except Interrupted as exc:
        sys.stderr.write("\nrealworld: interrupted; the running suite was stopped\n")
        return 128 + exc.signum
    except SetupError as exc:
        sys.stderr.write(f"realworld: error: {exc}\n")
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_library(runs: Sequence[Tuple[Library, str, Python]], args: argparse.Namespace,
                 options: Options, allowlist: Sequence[AllowEntry], say: Any
                 ) -> Tuple[List[Report], List[str], int]:
    """Run one library's runs in turn (baseline first); return its reports, problems, status."""
    reports: List[Report] = []
    problems: List[str] = []
    baseline: Optional[Dict[str, Outcome]] = None
    status = 0
    broken = ""  # why its baseline is missing
    for lib, mode, python in runs:
        say(f"realworld: {lib.name} {lib.sdist.version}, {mode}, Python {python.version}")
        if broken:
            problems.append(f"{lib.name} {mode} {python.version}: not run, no baseline "
                            f"({broken})")
            continue
        try:
            if baseline is None:
                base_python = find_python(lib.baseline)
                path = baseline_cache_path(lib, base_python, options)
                cached = None if (args.rerun_baseline or mode == "baseline") \
                    else load_baseline(path)
                if cached is None:
                    if mode != "baseline":
                        say(f"  no cached baseline for {lib.name}; running it first")
                    base = run_suite(lib, "baseline", base_python, options, say)
                    save_baseline(path, base)
                    baseline = base.outcomes
                    reports.append(Report(base, [], []))
                    passed = count(base.outcomes)[PASSED]
                    if base.note or passed < lib.expected_baseline:
                        problems.append(
                            f"{lib.name} baseline on {base_python.version}: {passed} passed, "
                            f"expected {lib.expected_baseline}"
                            f"{': ' + base.note if base.note else ''} -- the environment "
                            "differs from the one the library was measured in")
                        status = max(status, 1)
                else:
                    baseline = cached
                if mode == "baseline":
                    continue
            result = run_suite(lib, mode, python, options, say)
        except SetupError as exc:
            say(f"realworld: error: {exc}")
            problems.append(f"{lib.name} {mode} {python.version}: setup failed: "
                            f"{str(exc).splitlines()[0]}")
            if baseline is None:
                broken = "its setup failed"
            status = 2
            continue
        lost, gained = compare(baseline, result.outcomes, lib=lib.name, mode=mode,
                               info=python.info, allowlist=allowlist)
        reports.append(Report(result, lost, gained))
        if any(x.allowed is None for x in lost):
            status = max(status, 1)
    return reports, problems, status


def _main(args: argparse.Namespace) -> int:
    began = time.monotonic()

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        import legacy_coro  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(CHECKOUT))
    cache = (args.cache or default_cache()).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    allowlist = load_allowlist(args.allowlist)
    isolate = args.isolate_network and network_isolation_works()
    if args.isolate_network and not isolate:
        say("realworld: note: `unshare --net` does not work here; the suites use the "
            "machine's network (hbmqtt binds fixed ports 1883, 8080, 8081)")
    options = Options(cache, args.timeout, args.run_timeout, allowlist, isolate, False,
                      args.restore)
    plan = _plan(args)
    pythons: Dict[str, Python] = {}
    runnable = []
    problems: List[str] = []
    for lib, mode, spec, optional in plan:
        if spec not in pythons:
            try:
                pythons[spec] = find_python(spec)
            except SetupError:
                if optional:
                    say(f"realworld: no Python {spec} here; skipping its runs")
                    continue
                raise
        python = pythons[spec]
        if mode == "port-lc" and python.info < (3, 8):
            say(f"realworld: {lib.name} port-lc {python.version}: skipped, legacy_coro "
                "needs Python 3.8+")
            continue
        if mode == "layer" and python.info < (3, 8):
            raise SetupError(f"layer mode needs Python 3.8+ (legacy_coro's minimum); "
                             f"{python.version} was asked for {lib.name}")
        runnable.append((lib, mode, python))
    if any(mode.startswith("port") for _, mode, _ in runnable):
        check = subprocess.run([sys.executable, "-c", "import libcst"],
                               capture_output=True, stdin=subprocess.DEVNULL)
        if check.returncode != 0:
            raise SetupError(f"port mode runs this checkout's legacy-coro port on "
                             f"{sys.executable}, which lacks LibCST; install it with "
                             f"`{sys.executable} -m pip install -e '{CHECKOUT}[port]'`")
    # baselines first, so that every other run is compared as soon as it ends; the
    # libraries side by side (--jobs), each one's runs in turn (they share its venvs)
    runnable.sort(key=lambda item: (item[0].name, item[1] != "baseline"))
    by_lib: Dict[str, List[Tuple[Library, str, Python]]] = {}
    for item in runnable:
        by_lib.setdefault(item[0].name, []).append(item)
    reports: List[Report] = []
    status = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_run_library, runs, args, options, allowlist, say)
                   for runs in by_lib.values()]
        try:
            for future in futures:
                lib_reports, lib_problems, lib_status = future.result()
                reports += lib_reports
                problems += lib_problems
                status = max(status, lib_status)
        except BaseException:
            _STOPPING.set()
            for child in list(_CHILDREN):
                _kill_group(child)
            raise
    lines = render(reports, problems)
    print("\n".join(lines), flush=True)
    total = time.monotonic() - began
    print(f"total: {_seconds(total)}", flush=True)
    out = args.json or cache / "last.json"
    out.write_text(json.dumps(to_json(reports, problems, status, total), indent=1) + "\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
