"""Find profiles by kind and id across the user's directories and the shipped ones.

Directories are searched in order: ``--config-dir`` options, then the entries of
``COMPUTECOST_PATH`` (separated by ``os.pathsep``), then the shipped ``configs/``.
The first file ``<dir>/<kind>/<id>.yaml`` found wins, so a user profile overrides
a shipped one with the same id. Files are read lazily, only when asked for.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.profiles.loader import Loaded, load_file
from compute_cli.profiles.schema import (
    KINDS,
    REQUIRED_REFERENCES,
    SETUP_REFERENCES,
    Finance,
    Hardware,
    Model,
    Offer,
    Setup,
    Site,
    System,
)

ENV_PATH = "COMPUTECOST_PATH"
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
ID_MAX_CHARS = 80  # as schema.Id
SHOWN_CHARS = 60  # of a long id in a message


def is_id(text: str) -> bool:
    """Whether ``text`` can be a profile id (schema.Id), so a file can be looked for.

    >>> is_id("h100-sxm"), is_id("../etc/passwd"), is_id("a" * 100)
    (True, False, False)
    """
    return len(text) <= ID_MAX_CHARS and _ID.fullmatch(text) is not None


def shown(text: str) -> str:
    """A value from the command line as a message shows it: control characters escaped, long ones cut.

    >>> shown("a" * 100)
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (100 characters)'
    """
    from compute_cli.errors import printable

    text = str(text)
    if len(text) > SHOWN_CHARS + 20:
        text = f"{text[:SHOWN_CHARS]}... ({len(text):,} characters)"
    return printable(text)


def shipped_dir() -> Path:
    """The shipped ``configs/`` directory: the ``compute_cli.configs`` package, wherever it is installed.

    The package's own ``__file__``, as ``importlib.resources.files`` would give for a package
    on disk, without importing importlib.resources (zipfile, tempfile: ~8 ms per call).
    """
    import compute_cli.configs

    return Path(compute_cli.configs.__file__).parent


def search_dirs(config_dirs=(), environ=None) -> list[Path]:
    environ = os.environ if environ is None else environ
    dirs = [Path(d) for d in config_dirs]
    dirs += [Path(p) for p in environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    for d in dirs:
        if not d.is_dir():
            raise UsageError(f"config directory '{d}' does not exist or is not a directory")
    return dirs + [shipped_dir()]


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class ResolvedSetup:
    """A setup with every profile it names looked up.

    For a rented setup ``system`` is the offer's node (or a single-accelerator
    stand-in when the offer names none), and ``site``/``finance`` are None.
    """

    setup: Setup
    hardware: Hardware
    system: System
    site: Site | None = None
    finance: Finance | None = None
    offer: Offer | None = None

    @property
    def id(self) -> str:
        return self.setup.id


class Catalog:
    def __init__(self, config_dirs=(), environ=None):
        self.dirs = search_dirs(config_dirs, environ)
        self._cache: dict[tuple[str, str], Loaded] = {}

    # ------------------------------------------------------------------ lookup
    def ids(self, kind: str) -> list[str]:
        found: set[str] = set()
        for d in self.dirs:
            folder = d / kind
            try:
                with os.scandir(folder) as entries:
                    found.update(e.name[:-5] for e in entries if e.name.endswith(".yaml") and not e.name.startswith("."))
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise InputError(f"cannot list the {kind} profiles: {exc.strerror or exc}",
                                 file=display_path(folder)) from None
        return sorted(found)

    def find(self, kind: str, profile_id: str) -> Path | None:
        """The file of a profile, or None; a broken entry (a dangling link, a directory, a device,
        an unreadable folder) is an error naming it, not a profile that is missing."""
        if not is_id(profile_id):
            return None  # no file can hold it (and a very long name would be refused by the OS)
        for d in self.dirs:
            candidate = d / kind / f"{profile_id}.yaml"
            try:
                mode = candidate.stat().st_mode
            except (FileNotFoundError, NotADirectoryError):
                if candidate.is_symlink():
                    raise InputError("a symbolic link to a file that does not exist", file=display_path(candidate)) \
                        from None
                continue
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror or exc}", file=display_path(candidate)) from None
            if stat.S_ISREG(mode):
                return candidate
            what = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise InputError(f"is {what}, expected a YAML file", file=display_path(candidate))
        return None

    def kind_of(self, profile_id: str) -> list[str]:
        return [k for k in KINDS if self.find(k, profile_id)]

    def get(self, kind: str, profile_id: str, referrer: tuple | None = None) -> Loaded:
        """Load a profile; ``referrer`` = (Loaded, key) of the profile naming it, for errors."""
        key = (kind, profile_id)
        if key in self._cache:
            return self._cache[key]
        path = self.find(kind, profile_id)
        if path is None:
            raise self.missing(kind, profile_id, referrer)
        loaded = load_file(path, kind, display_path(path), expect_id=profile_id)
        self._cache[key] = loaded
        return loaded

    def loaded(self, kind: str, profile_id: str) -> Loaded | None:
        """A profile already read by this catalog, or None (never reads a file)."""
        return self._cache.get((kind, profile_id))

    def register(self, loaded: Loaded, profile_dir: Path | None = None) -> None:
        """Make a profile read from a file or stdin findable by its id, ahead of any file of that id.

        ``profile_dir`` (laid out like configs/) is then searched for the profiles it names,
        after the user's directories and before the shipped ones.
        """
        self._cache[(loaded.kind, loaded.id)] = loaded
        if profile_dir is not None and profile_dir not in self.dirs:
            self.dirs.insert(len(self.dirs) - 1, profile_dir)

    def missing(self, kind: str, profile_id: str, referrer: tuple | None) -> InputError:
        noun = kind if kind in ("hardware", "finance") else kind[:-1]
        if not is_id(profile_id):
            return InputError(f"no {noun} profile '{shown(profile_id)}': an id is at most {ID_MAX_CHARS} lowercase "
                              f"letters, digits, '.', '_' and '-'; see 'computecost profiles list {kind}'")
        text = f"no {noun} profile '{profile_id}'{did_you_mean(profile_id, self.ids(kind))}"
        other = [k for k in self.kind_of(profile_id) if k != kind]
        if other:
            text += f"; '{profile_id}' is a {other[0]} profile"
        if referrer:
            loaded, field = referrer
            return InputError(text + f" (named by {loaded.kind[:-1] if loaded.kind != 'hardware' else 'hardware'} "
                              f"'{loaded.id}')", file=loaded.file, line=loaded.line_of(field), path=field)
        return InputError(text + f"; see 'computecost profiles list {kind}'")

    # -------------------------------------------------------------- resolution
    def model(self, model_id: str) -> Model:
        return self.get("models", model_id).profile

    def resolve(self, setup_id: str) -> ResolvedSetup:
        loaded = self.get("setups", setup_id)
        setup: Setup = loaded.profile
        for ref in REQUIRED_REFERENCES[setup.kind]:
            if getattr(setup, ref) is None:
                raise InputError(f"a setup of kind '{setup.kind}' needs '{ref}'", file=loaded.file,
                                 line=loaded.line_of("kind"), path=ref)
        wrong = [r for r in SETUP_REFERENCES if getattr(setup, r) is not None and r not in REQUIRED_REFERENCES[setup.kind]]
        if wrong:
            raise InputError(f"'{wrong[0]}' does not apply to a setup of kind '{setup.kind}'", file=loaded.file,
                             line=loaded.line_of(wrong[0]), path=wrong[0])

        def ref(kind, field):
            return self.get(kind, getattr(setup, field), referrer=(loaded, field)).profile

        if setup.model is not None:
            ref("models", "model")
        if setup.kind == "device-fleet":
            hardware = ref("hardware", "device")
            return ResolvedSetup(setup=setup, hardware=hardware, system=stand_in_device(hardware))
        if setup.kind == "own":
            system = ref("systems", "system")
            sys_loaded = self.get("systems", setup.system)
            hardware = self.get("hardware", system.accelerator, referrer=(sys_loaded, "accelerator")).profile
            return ResolvedSetup(setup=setup, hardware=hardware, system=system, site=ref("sites", "site"),
                                 finance=ref("finance", "finance"))
        offer = ref("offers", "offer")
        off_loaded = self.get("offers", offer.id)
        hardware = self.get("hardware", offer.accelerator, referrer=(off_loaded, "accelerator")).profile
        if offer.system is not None:
            system = self.get("systems", offer.system, referrer=(off_loaded, "system")).profile
            if system.accelerator != offer.accelerator:
                raise InputError(
                    f"offer accelerator '{offer.accelerator}' differs from system '{system.id}' accelerator "
                    f"'{system.accelerator}'", file=off_loaded.file, line=off_loaded.line_of("system"), path="system")
        else:
            system = stand_in_system(offer, hardware)
        if getattr(offer.usd_per_gpu_hour, setup.term) is None:
            raise InputError(f"offer '{offer.id}' has no '{setup.term}' price", file=loaded.file,
                             line=loaded.line_of("term"), path="term")
        return ResolvedSetup(setup=setup, hardware=hardware, system=system, offer=offer)


# Assumption: PCIe 4.0 x16 moves ~32 GB/s per direction (PCI-SIG); a rented
# instance that names no system is taken to be that many accelerators on PCIe.
PCIE4_X16_GB_PER_S = 32.0


def stand_in_device(hardware: Hardware) -> System:
    """A consumer device serves alone: one accelerator, no host beyond what its own figures include."""
    return System(
        id=f"{hardware.id}-device",
        name=f"{hardware.name} device",
        accelerator=hardware.id,
        accelerator_count=1,
        host_capex_usd=0.0,
        host_power_w=0.0,
        interconnect="none",
        interconnect_bandwidth_gb_per_s=PCIE4_X16_GB_PER_S,
    )


def stand_in_system(offer: Offer, hardware: Hardware) -> System:
    return System(
        id=f"{offer.id}-instance",
        name=f"{offer.name} instance",
        accelerator=hardware.id,
        accelerator_count=offer.gpus_per_instance,
        host_capex_usd=0.0,
        host_power_w=0.0,
        interconnect="pcie",
        interconnect_bandwidth_gb_per_s=PCIE4_X16_GB_PER_S,
    )
