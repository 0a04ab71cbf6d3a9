"""Find profiles by kind and id across the user's directories and the shipped ones.

Directories are searched in order: ``--config-dir`` options (and the ``config_dirs``
of ``computecost.toml``), then the entries of ``COMPUTECOST_PATH`` (separated by
``os.pathsep``), then the user config directory (``$XDG_CONFIG_HOME/computecost``,
by default ``~/.config/computecost``, where ``computecost prices import`` writes), then
the shipped ``configs/``. The first file ``<dir>/<kind>/<id>.yaml`` found wins, so a
user profile overrides a shipped one with the same id; one read from the user config
directory says so in a note, since nothing on the command line shows it is there.
Files are read lazily, only when asked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from compute_cli.errors import ComputeCostNote, InputError, UsageError, did_you_mean
from compute_cli.profiles import standins
from compute_cli.profiles.loader import Loaded, load_file
from compute_cli.profiles.schema import (
    KINDS,
    OPTIONAL_REFERENCES,
    REQUIRED_REFERENCES,
    SETUP_REFERENCES,
    Finance,
    Hardware,
    Model,
    Offer,
    Setup,
    Site,
    System,
    Workload,
)

ENV_PATH = "COMPUTECOST_PATH"


def shipped_dir() -> Path:
    """The shipped ``configs/`` directory: the ``compute_cli.configs`` package, wherever it is installed.

    The package's own ``__file__``, as ``importlib.resources.files`` would give for a package
    on disk, without importing importlib.resources (zipfile, tempfile: ~8 ms per call).
    """
    import compute_cli.configs

    return Path(compute_cli.configs.__file__).parent


def search_dirs(config_dirs=(), environ=None) -> list[Path]:
    from compute_cli.settings import user_config_dir

    environ = os.environ if environ is None else environ
    dirs = [Path(d) for d in config_dirs]
    dirs += [Path(p) for p in environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    for d in dirs:
        if not d.is_dir():
            raise UsageError(f"config directory '{d}' does not exist or is not a directory")
    user = user_config_dir(environ)
    if user is not None and user.is_dir() and user not in dirs:
        dirs.append(user)
    return dirs + [shipped_dir()]


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when below it; a shipped
    profile elsewhere as ``configs/<kind>/<id>.yaml``, the same on every machine (``profiles show``
    prints where it is installed)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        pass
    try:
        return str(Path("configs") / path.relative_to(shipped_dir()))
    except ValueError:
        return str(path)


@dataclass
class ResolvedSetup:
    """A setup with every profile it names looked up.

    For a rented setup ``system`` is the offer's node (or a single-accelerator
    stand-in when the offer names none), and ``site``/``finance`` are None.
    ``workload`` is the setup's (or the run's, ``--workload``), None without one.
    ``sources`` maps each attribute to the ``Loaded`` profile it was read from
    (a stand-in made in code has none), for the origin of every figure.
    """

    setup: Setup
    hardware: Hardware
    system: System
    site: Site | None = None
    finance: Finance | None = None
    offer: Offer | None = None
    sources: dict = field(default_factory=dict)
    workload: Workload | None = None

    @property
    def id(self) -> str:
        return self.setup.id


class Catalog:
    def __init__(self, config_dirs=(), environ=None, default_model: str | None = None):
        """``default_model``: the model a run serves when none is asked for (``computecost.toml``'s ``model``)."""
        from compute_cli.settings import user_config_dir

        self.dirs = search_dirs(config_dirs, environ)
        self.user_dir = user_config_dir(environ)
        self.default_model = default_model
        self._cache: dict[tuple[str, str], Loaded] = {}
        self._used: dict = {}  # (file or profile, key) -> origin of a figure some run evaluated

    # --------------------------------------------------------------- used figures
    def record_used(self, records) -> None:
        """Remember the figures a run's engine inputs were built from (``inputs.SetupOrigins``, one per setup)."""
        for record in records:
            self.record_figures(origin for _path, origin in record.figures())

    def record_figures(self, origins) -> None:
        """Remember figures (``inputs.Origin``) a run used outside the engine's inputs (a market's quotes)."""
        for origin in origins:
            self._used.setdefault(origin.figure, origin)

    def figures_used(self) -> list:
        """Every figure (``inputs.Origin``) the runs of this catalog used, each once, in the order first used."""
        return list(self._used.values())

    # ------------------------------------------------------------------ lookup
    def ids(self, kind: str) -> list[str]:
        found: set[str] = set()
        for d in self.dirs:
            folder = d / kind
            if folder.is_dir():
                found.update(p.stem for p in folder.glob("*.yaml"))
        return sorted(found)

    def find(self, kind: str, profile_id: str) -> Path | None:
        for d in self.dirs:
            candidate = d / kind / f"{profile_id}.yaml"
            if candidate.is_file():
                return candidate
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
        if self.user_dir is not None and path.parent.parent == self.user_dir \
                and (shipped_dir() / kind / path.name).is_file():
            import warnings

            warnings.warn(f"{kind}/{profile_id} is read from {display_path(path)}, which overrides the shipped "
                          "profile of that id", ComputeCostNote, stacklevel=2)
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

        sources = {"setup": loaded}

        def ref(kind, field, attr=None):
            got = self.get(kind, getattr(setup, field), referrer=(loaded, field))
            sources[attr or field] = got
            return got.profile

        if setup.model is not None:
            self.get("models", setup.model, referrer=(loaded, "model"))
        workload = ref(OPTIONAL_REFERENCES["workload"], "workload") if setup.workload is not None else None
        resolved = self._resolve_kind(setup, loaded, sources, ref)
        resolved.workload = workload
        return resolved

    def _resolve_kind(self, setup: Setup, loaded: Loaded, sources: dict, ref) -> ResolvedSetup:
        if setup.kind == "device-fleet":
            hardware = ref("hardware", "device", "hardware")
            return ResolvedSetup(setup=setup, hardware=hardware, system=standins.device_system(hardware),
                                 sources=sources)
        if setup.kind == "own":
            system = ref("systems", "system")
            sources["hardware"] = self.get("hardware", system.accelerator, referrer=(sources["system"], "accelerator"))
            return ResolvedSetup(setup=setup, hardware=sources["hardware"].profile, system=system,
                                 site=ref("sites", "site"), finance=ref("finance", "finance"), sources=sources)
        offer = ref("offers", "offer")
        off_loaded = sources["offer"]
        sources["hardware"] = self.get("hardware", offer.accelerator, referrer=(off_loaded, "accelerator"))
        hardware = sources["hardware"].profile
        if offer.system is not None:
            sources["system"] = self.get("systems", offer.system, referrer=(off_loaded, "system"))
            system = sources["system"].profile
            if system.accelerator != offer.accelerator:
                raise InputError(
                    f"offer accelerator '{offer.accelerator}' differs from system '{system.id}' accelerator "
                    f"'{system.accelerator}'", file=off_loaded.file, line=off_loaded.line_of("system"), path="system")
        else:
            system = standins.instance_system(offer, hardware)
        if getattr(offer.usd_per_gpu_hour, setup.term) is None:
            raise InputError(f"offer '{offer.id}' has no '{setup.term}' price", file=loaded.file,
                             line=loaded.line_of("term"), path="term")
        return ResolvedSetup(setup=setup, hardware=hardware, system=system, offer=offer, sources=sources)
