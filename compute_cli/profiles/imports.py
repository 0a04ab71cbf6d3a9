"""``computecost prices import``: published price lists turned into market and offer profiles.

Three formats are read, each as its publisher writes it:

* OpenRouter's ``GET /api/v1/models``: ``{"data": [{"id": ..., "pricing": {"prompt": "0.0000009",
  "completion": "0.0000009"}}, ...]}``, prices in USD per token written as text; the price
  is the lowest across the providers OpenRouter routes to. A negative price (a router
  whose price varies) and a zero one (a free tier) are not market prices and are skipped.
* LiteLLM's ``model_prices_and_context_window.json``: ``{"<provider>/<model>": {
  "input_cost_per_token": 9e-07, "output_cost_per_token": 9e-07, "litellm_provider": ...,
  "mode": "chat"}, ...}``, USD per token as numbers; the ``sample_spec`` entry and every
  entry whose ``mode`` is not ``chat`` are skipped.
* a CSV of rental prices, ``provider,gpu,usd_per_gpu_hour,term,as_of,source``, one price a row.

Names are mapped to computecost ids by comparing normalised names (``name_key``):
``meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo``, ``llama-v3p1-70b-instruct`` and
``Llama 3.1 70B Instruct`` are all ``llama-3.1-70b``. A name that matches no id, or more
than one, is listed as not mapped (``--model NAME=ID`` and ``--gpu NAME=ID`` map it by hand).

Each model's quotes become ``markets/<model>.yaml`` and each (provider, accelerator)
becomes ``offers/<id>.yaml``. A profile that already exists for the model (or for that
provider's accelerator) is the starting point: the imported prices replace the quotes
of the same providers (or the same rental terms), and everything else is kept with its
own source and date. Every profile is validated before anything is written, nothing is
overwritten without ``force``, and the files are written only when all of them are ready.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.profiles.loader import Loaded, load_text
from compute_cli.profiles.staleness import parse_as_of

MAX_IMPORT_BYTES = 32 * 1024 * 1024  # LiteLLM's price map is ~1.6 MB, OpenRouter's model list ~1 MB
TOKENS_PER_MILLION = 1_000_000
CSV_COLUMNS = ("provider", "gpu", "usd_per_gpu_hour", "term", "as_of", "source")
TERMS = {
    "on_demand": "on_demand", "ondemand": "on_demand", "od": "on_demand", "payg": "on_demand",
    "spot": "spot", "preemptible": "spot", "interruptible": "spot",
    "reserved_1y": "reserved_1y", "1y": "reserved_1y", "1yr": "reserved_1y", "1_year": "reserved_1y",
    "reserved_1yr": "reserved_1y", "reserved_1_year": "reserved_1y",
    "reserved_3y": "reserved_3y", "3y": "reserved_3y", "3yr": "reserved_3y", "3_year": "reserved_3y",
    "reserved_3yr": "reserved_3y", "reserved_3_year": "reserved_3y",
}
FORMAT_NAMES = {"openrouter": "OpenRouter /api/v1/models", "litellm": "LiteLLM model_prices_and_context_window.json",
                "csv": "rental price CSV"}
KIND_OF_FORMAT = {"openrouter": "markets", "litellm": "markets", "csv": "offers"}
# Display names of providers as LiteLLM spells them; others keep their own spelling.
PROVIDER_NAMES = {"together": "Together", "fireworks": "Fireworks", "deepinfra": "DeepInfra", "groq": "Groq",
                  "openrouter": "OpenRouter", "cerebras": "Cerebras", "sambanova": "SambaNova", "novita": "Novita",
                  "hyperbolic": "Hyperbolic", "nebius": "Nebius", "lambda": "Lambda", "bedrock": "AWS Bedrock",
                  "vertex": "Google Vertex", "azure": "Microsoft Azure", "mistral": "Mistral",
                  "deepseek": "DeepSeek"}
HYPERSCALERS = {"aws", "amazon", "amazonwebservices", "azure", "microsoft", "microsoftazure", "gcp", "google",
                "googlecloud", "oci", "oracle", "oraclecloud"}

# Words a price list adds to a model's name that do not change the model: packaging, tiers, dates.
NAME_NOISE = {"instruct", "chat", "turbo", "hf", "fp8", "bf16", "fp16", "int8", "int4", "awq", "free", "it",
              "latest", "versatile", "instant", "preview", "serverless", "meta", "v", "nvidia", "amd", "geforce",
              "radeon", "instinct", "tensor", "core", "gpu", "nvl", "hgx", "dgx", "tc"}
_DATE = re.compile(r"^(\d{4}|\d{6}|\d{8})$")
_SIZE = re.compile(r"^\d+(\.\d+)?[bm]$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_MEMORY = re.compile(r"^\d+gb$")


def name_key(name: str) -> tuple[str, ...]:
    """A model's or an accelerator's name without the words price lists add: the tokens that identify it.

    >>> name_key("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo") == name_key("llama-3.1-70b")
    True
    >>> name_key("accounts/fireworks/models/llama-v3p1-70b-instruct") == name_key("Llama 3.1 70B Instruct")
    True
    >>> name_key("mistralai/Mixtral-8x7B-Instruct-v0.1") == name_key("mixtral-8x7b")
    True
    >>> name_key("deepseek-ai/DeepSeek-V3.1") == name_key("deepseek-v3"), name_key("llama-3.3-70b")
    (False, ('llama', '3.3', '70b'))
    >>> name_key("NVIDIA H100 SXM5 80GB") == name_key("h100-sxm")
    True
    """
    text = name.strip().lower().rsplit("/", 1)[-1].split(":", 1)[0]
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"(\d)p(\d)", r"\1.\2", text)  # llama-v3p1 -> llama-v3.1
    words = [w for w in re.split(r"[\s_\-]+", text) if w and w not in NAME_NOISE and not _DATE.match(w)
             and not _MEMORY.match(w)]
    words = [re.sub(r"^(sxm|pcie)\d$", r"\1", w) for w in words]  # SXM5, PCIe4: the form factor
    tokens: list[str] = []
    for w in words:
        tokens += [t for t in re.split(r"(?<=[a-z])(?=\d)", w) if t and t not in NAME_NOISE]
    out: list[str] = []
    for t in tokens:  # a version after the size is a release of that model (Mixtral-8x7B-v0.1)
        if _VERSION.match(t) and any(_SIZE.match(s) for s in out):
            continue
        out.append(t)
    return tuple(out)


# ------------------------------------------------------------------ reading
@dataclass(frozen=True)
class Quote:
    """One provider's price for one model, as a price list gives it [USD per million tokens]."""

    name: str  # the model's name in the file
    provider: str
    input_usd_per_million_tokens: float
    output_usd_per_million_tokens: float
    source: str
    as_of: str


@dataclass(frozen=True)
class Rate:
    """One rental price of one accelerator, a row of the CSV [USD per GPU-hour]."""

    provider: str
    gpu: str
    usd_per_gpu_hour: float
    term: str
    as_of: str
    source: str
    line: int


@dataclass
class Parsed:
    format: str
    records: list
    skipped: list[dict] = field(default_factory=list)  # {"name", "reason"}


def read_bounded(path: Path, display: str) -> bytes:
    """The file's bytes, refused while reading once past ``MAX_IMPORT_BYTES`` (a pipe or a huge file)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_IMPORT_BYTES + 1)
    except IsADirectoryError:
        raise InputError("is a directory, expected a price list", file=display) from None
    except FileNotFoundError:
        raise InputError("no such file", file=display) from None
    except PermissionError:
        raise InputError("permission denied", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise InputError(f"larger than {MAX_IMPORT_BYTES:,} bytes; price lists are a few MB", file=display)
    return raw


def _text(raw: bytes, display: str) -> str:
    if b"\x00" in raw:
        raise InputError("binary data (NUL byte), expected a JSON or CSV price list", file=display)
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", file=display, line=line) from None


def parse(raw: bytes, display: str, as_of: str, fmt: str | None = None) -> Parsed:
    """Read a price list (its format found from its content unless ``fmt`` names it)."""
    text = _text(raw, display)
    if not text.strip():
        raise InputError("file is empty, expected a JSON or CSV price list", file=display)
    looks_json = text.lstrip()[:1] in "{["
    if fmt == "csv" or (fmt is None and not looks_json):
        return _parse_csv(text, display, as_of)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=display, line=exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=display) from None
    if fmt is None:
        fmt = "openrouter" if isinstance(data, dict) and "data" in data else "litellm"
    return (_parse_openrouter if fmt == "openrouter" else _parse_litellm)(data, display, as_of)


def _usd_per_token(value, display: str, where: str, as_text: bool) -> float:
    """A per-token price, as OpenRouter (text) or LiteLLM (a number) writes it, checked."""
    spelled = "text such as \"0.0000009\"" if as_text else "a number such as 9e-07"
    if isinstance(value, bool) or value is None or (as_text and not isinstance(value, str)) \
            or (not as_text and not isinstance(value, int | float)):
        raise InputError(f"expected a price in USD per token as {spelled}, got {json.dumps(value)}", file=display,
                         path=where)
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"expected a price in USD per token as {spelled}, got {json.dumps(value)}", file=display,
                         path=where) from None
    if not math.isfinite(number):
        raise InputError(f"must be a finite number, got {json.dumps(value)}", file=display, path=where)
    return number


def _parse_openrouter(data, display: str, as_of: str) -> Parsed:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise InputError("expected OpenRouter's {\"data\": [...]} (GET /api/v1/models)", file=display, path="data")
    out = Parsed("openrouter", [])
    for i, m in enumerate(data["data"]):
        at = f"data[{i}]"
        if not isinstance(m, dict):
            raise InputError("expected a model object", file=display, path=at)
        ident = m.get("id")
        if not isinstance(ident, str) or not ident:
            raise InputError("expected the model's id as text", file=display, path=f"{at}.id")
        pricing = m.get("pricing")
        if not isinstance(pricing, dict):
            raise InputError("expected a pricing object with prompt and completion", file=display,
                             path=f"{at}.pricing")
        prices = []
        for side in ("prompt", "completion"):
            if side not in pricing:
                raise InputError(f"missing '{side}' (USD per token)", file=display, path=f"{at}.pricing")
            prices.append(_usd_per_token(pricing[side], display, f"{at}.pricing.{side}", as_text=True))
        if min(prices) < 0:
            out.skipped.append({"name": ident, "reason": "variable price (a router), not a list price"})
            continue
        if max(prices) == 0:
            out.skipped.append({"name": ident, "reason": "free tier, not a market price"})
            continue
        out.records.append(Quote(ident, "OpenRouter", prices[0] * TOKENS_PER_MILLION,
                                 prices[1] * TOKENS_PER_MILLION,
                                 f"OpenRouter /api/v1/models ({Path(display).name}: {ident}; the lowest price "
                                 "across its providers)", as_of))
    return out


def _parse_litellm(data, display: str, as_of: str) -> Parsed:
    if not isinstance(data, dict):
        raise InputError("expected LiteLLM's price map: an object keyed by model name", file=display)
    out = Parsed("litellm", [])
    for key, entry in data.items():
        if key == "sample_spec":
            continue
        at = json.dumps(key)
        if not isinstance(entry, dict):
            raise InputError("expected an object with input_cost_per_token, output_cost_per_token, "
                             "litellm_provider and mode", file=display, path=at)
        mode = entry.get("mode")
        if mode != "chat":
            out.skipped.append({"name": key, "reason": f"mode {mode or 'not given'}, not chat"})
            continue
        if "input_cost_per_token" not in entry or "output_cost_per_token" not in entry:
            out.skipped.append({"name": key, "reason": "no input_cost_per_token / output_cost_per_token"})
            continue
        prices = [_usd_per_token(entry[k], display, f"{at}.{k}", as_text=False)
                  for k in ("input_cost_per_token", "output_cost_per_token")]
        if min(prices) < 0:
            raise InputError(f"must be >= 0, got {min(prices)!r}", file=display, path=f"{at}.input_cost_per_token")
        if max(prices) == 0:
            out.skipped.append({"name": key, "reason": "free tier, not a market price"})
            continue
        provider = entry.get("litellm_provider", key.split("/", 1)[0] if "/" in key else "")
        if not isinstance(provider, str) or not provider:
            raise InputError("expected the provider's name as text", file=display, path=f"{at}.litellm_provider")
        out.records.append(Quote(key, provider_name(provider), prices[0] * TOKENS_PER_MILLION,
                                 prices[1] * TOKENS_PER_MILLION,
                                 f"LiteLLM model_prices_and_context_window.json ({Path(display).name}: {key})", as_of))
    return out


def _parse_csv(text: str, display: str, as_of_default: str | None) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", file=display, line=1) from None
    for h in header:
        if h not in CSV_COLUMNS:
            raise InputError(f"unknown column '{h}'{did_you_mean(h, CSV_COLUMNS)}; the columns are "
                             f"{','.join(CSV_COLUMNS)}", file=display, line=1)
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InputError(f"missing column '{missing[0]}'; the columns are {','.join(CSV_COLUMNS)}", file=display,
                         line=1)
    out = Parsed("csv", [])
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise InputError(f"expected {len(header)} fields ({','.join(header)}), got {len(cells)}",
                                 file=display, line=line)
            row = {h: c.strip() for h, c in zip(header, cells, strict=True)}
            out.records.append(_rate(row, display, line, as_of_default))
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", file=display, line=reader.line_num) from None
    if not out.records:
        raise InputError("no prices: a header and no rows", file=display)
    return out


def _rate(row: dict, display: str, line: int, as_of_default: str | None) -> Rate:
    def fail(column, message):
        raise InputError(message, file=display, line=line, path=column)

    for column in ("provider", "gpu", "source"):
        if not row[column]:
            fail(column, "must not be empty")
    try:
        price = float(row["usd_per_gpu_hour"])
    except ValueError:
        fail("usd_per_gpu_hour", f"expected a price in USD per GPU-hour, e.g. 3.99, got {row['usd_per_gpu_hour']!r}")
    if not math.isfinite(price) or price < 0:
        fail("usd_per_gpu_hour", f"must be a finite price >= 0, got {row['usd_per_gpu_hour']!r}")
    term = TERMS.get(re.sub(r"[\s\-]+", "_", row["term"].lower()))
    if term is None:
        fail("term", f"unknown term {row['term']!r}{did_you_mean(row['term'], sorted(set(TERMS.values())))}; "
                     f"terms: {', '.join(sorted(set(TERMS.values())))}")
    as_of = row["as_of"] or as_of_default
    if not as_of:
        fail("as_of", "empty; give the date the price was published (YYYY-MM-DD), or --as-of for every empty one")
    if parse_as_of(as_of) is None:
        fail("as_of", f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, got {as_of!r}")
    return Rate(row["provider"], row["gpu"], price, term, as_of, row["source"], line)


def provider_key(name: str) -> str:
    """Providers compared without case, punctuation or a trailing 'ai': 'together_ai' is 'Together AI'.

    >>> provider_key("together_ai") == provider_key("Together AI") == provider_key("Together")
    True
    """
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return key[:-2] if key.endswith("ai") and len(key) > 4 else key


def provider_name(name: str) -> str:
    return PROVIDER_NAMES.get(provider_key(name), name)


# ------------------------------------------------------------------ mapping
def _index(catalog, kind: str) -> dict[tuple, list[str]]:
    """Normalised name -> ids of the profiles of ``kind`` it names (by id and by display name)."""
    out: dict[tuple, list[str]] = {}
    for ident in catalog.ids(kind):
        names = {ident, getattr(catalog.get(kind, ident).profile, "name", ident)}
        for n in names:
            ids = out.setdefault(name_key(n), [])
            if ident not in ids:
                ids.append(ident)
    return out


def parse_forced(values, option: str, catalog, kind: str) -> tuple[dict[str, str], str | None]:
    """``--model NAME=ID`` (or a lone ``--model ID`` for every entry): ``({name: id}, every-entry id)``."""
    forced, every = {}, None
    for text in values or ():
        name, sep, ident = text.rpartition("=")
        ident = ident.strip()
        if catalog.find(kind, ident) is None:
            raise catalog.missing(kind, ident, None)
        if sep:
            if not name.strip():
                raise UsageError(f"{option} '{text}': expected NAME=ID or ID")
            forced[name.strip()] = ident
        elif every is not None:
            raise UsageError(f"{option} {ident}: a second {option} without NAME=; give NAME=ID to map one name")
        else:
            every = ident
    return forced, every


def map_name(name: str, index: dict, forced: dict, every: str | None, noun: str) -> tuple[str | None, str]:
    """``(id, how)``, or ``(None, why not)``."""
    if name in forced:
        return forced[name], "forced"
    if every is not None:
        return every, "forced"
    ids = index.get(name_key(name), [])
    if len(ids) == 1:
        return ids[0], "name"
    if ids:
        return None, f"names several {noun} profiles ({', '.join(ids)})"
    return None, f"no {noun} profile of that name"


# ------------------------------------------------------------------ profiles
def figure(value, source: str, as_of: str) -> dict:
    return {"value": value, "source": source, "as_of": as_of}


def profile_data(loaded: Loaded) -> dict:
    """A loaded profile as YAML data again, each figure with its provenance (comments are not kept)."""
    import msgspec

    data = msgspec.to_builtins(loaded.profile)

    def wrap(node, path):
        prov = loaded.provenance.get(path)
        if prov is not None and not isinstance(node, dict | list):
            out = {"value": node}
            for key in ("source", "as_of", "assumption", "note", "url"):
                if getattr(prov, key) is not None:
                    out[key] = getattr(prov, key)
            if prov.distribution is not None:
                out["distribution"] = prov.distribution.as_dict()
            return out
        if isinstance(node, dict):
            return {k: wrap(v, path + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [wrap(v, path + (i,)) for i, v in enumerate(node)]
        return node

    return wrap(data, ())


def to_yaml(data: dict, header: str) -> str:
    import yaml

    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return f"# {header}\n{body}"


@dataclass
class Planned:
    kind: str
    id: str
    text: str
    detail: dict  # what changed, for the report
    replaces: str | None = None  # the file of the profile it starts from


def _market_profiles(catalog, quotes: list[Quote], forced, every, stamp: str) -> tuple[list[Planned], list[dict]]:
    index = _index(catalog, "models")
    by_model: dict[str, dict[str, Quote]] = {}
    unmapped, duplicates = [], []
    for q in quotes:
        model_id, how = map_name(q.name, index, forced, every, "model")
        if model_id is None:
            unmapped.append({"name": q.name, "reason": how})
            continue
        chosen = by_model.setdefault(model_id, {})
        key = provider_key(q.provider)
        other = chosen.get(key)
        if other is None or (q.output_usd_per_million_tokens, q.input_usd_per_million_tokens) < \
                (other.output_usd_per_million_tokens, other.input_usd_per_million_tokens):
            if other is not None:
                duplicates.append({"name": other.name, "reason": f"{q.provider} also lists {q.name} for {model_id}; "
                                                                 "the lower price is kept"})
            chosen[key] = q
        else:
            duplicates.append({"name": q.name, "reason": f"{q.provider} also lists {other.name} for {model_id}; "
                                                         "the lower price is kept"})
    planned = []
    for model_id, chosen in sorted(by_model.items()):
        existing = catalog.get("markets", model_id) if catalog.find("markets", model_id) else None
        if existing is not None:
            data = profile_data(existing)
            kept = [q for q in data["quotes"] if provider_key(q["provider"]) not in chosen]
        else:
            model = catalog.get("models", model_id).profile
            data = {"id": model_id, "name": f"{model.name} API prices", "model": model_id, "quotes": []}
            kept = []
        new = [{"provider": q.provider,
                "input_usd_per_million_tokens": figure(round(q.input_usd_per_million_tokens, 9), q.source, q.as_of),
                "output_usd_per_million_tokens": figure(round(q.output_usd_per_million_tokens, 9), q.source, q.as_of)}
               for q in sorted(chosen.values(), key=lambda q: provider_key(q.provider))]
        data["quotes"] = kept + new
        data["notes"] = _note(data.get("notes"), stamp)
        planned.append(Planned("markets", model_id, to_yaml(data, f"What buyers pay per million tokens of {model_id}, "
                                                              "by API provider."),
                               {"providers": [q["provider"] for q in new], "kept": [q["provider"] for q in kept]},
                               existing.file if existing else None))
    return planned, unmapped + duplicates


def _note(old: str | None, stamp: str) -> str:
    old = (old or "").strip()
    return f"{old} {stamp}".strip() if stamp not in old else old


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "provider"


def _offer_profiles(catalog, rates: list[Rate], forced, every, stamp: str, display: str):
    index = _index(catalog, "hardware")
    groups: dict[tuple, dict[str, Rate]] = {}
    names: dict[tuple, str] = {}
    unmapped = []
    for rate in rates:
        hw, how = map_name(rate.gpu, index, forced, every, "hardware")
        if hw is None:
            unmapped.append({"name": f"{rate.provider} {rate.gpu} (line {rate.line})", "reason": how})
            continue
        key = (provider_key(rate.provider), hw)
        names.setdefault(key, rate.provider)
        terms = groups.setdefault(key, {})
        if rate.term in terms:
            raise InputError(f"a second {rate.term} price for {rate.provider} {hw} (first at line "
                             f"{terms[rate.term].line})", file=display, line=rate.line, path="term")
        terms[rate.term] = rate
    offers = [catalog.get("offers", i) for i in catalog.ids("offers")]
    kinds = {provider_key(o.profile.provider): o.profile.provider_kind for o in offers}
    planned, skipped = [], []
    for (pkey, hw), terms in sorted(groups.items()):
        provider = names[(pkey, hw)]
        matches = [o for o in offers if provider_key(o.profile.provider) == pkey and o.profile.accelerator == hw]
        existing = matches[0] if matches else None
        if existing is not None:
            data = profile_data(existing)
        else:
            if "on_demand" not in terms:
                first = min(r.line for r in terms.values())
                skipped.append({"name": f"{provider} {hw} (line {first})",
                                "reason": "no on_demand price, and no offer of this provider's to add it to"})
                continue
            hardware = catalog.get("hardware", hw).profile
            kind = kinds.get(pkey, "hyperscaler" if pkey in HYPERSCALERS else None)
            data = {"id": f"{_slug(provider)}-{hw}", "name": f"{provider} {hardware.name}", "provider": provider,
                    "provider_kind": kind if kind else {
                        "value": "neocloud", "assumption": "the provider's kind is not in the price list; neocloud "
                                                          "assumed (it changes no cost)"},
                    "accelerator": hw, "usd_per_gpu_hour": {}}
        prices = data.setdefault("usd_per_gpu_hour", {})
        for term, rate in terms.items():
            prices[term] = figure(rate.usd_per_gpu_hour, rate.source, rate.as_of)
        data["usd_per_gpu_hour"] = {t: prices[t] for t in ("on_demand", "spot", "reserved_1y", "reserved_3y")
                                    if t in prices}
        data["notes"] = _note(data.get("notes"), stamp)
        planned.append(Planned("offers", data["id"], to_yaml(data, f"{provider} rental prices for {hw}."),
                               {"provider": provider, "accelerator": hw, "terms": sorted(terms)},
                               existing.file if existing else None))
    return planned, unmapped + skipped


# ------------------------------------------------------------------ the import
def default_as_of(path: Path) -> str:
    """The date a downloaded price list was saved: its modification date (UTC)."""
    return dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.UTC).date().isoformat()


def run(catalog, file: str, *, kind: str | None = None, as_of: str | None = None, into: Path,
        force: bool = False, models=(), gpus=()) -> dict:
    """Read a price list, write its market or offer profiles into ``into``; a JSON-ready dict.

    Raises before writing anything when the file is malformed, a profile would not
    validate, or a file exists and ``force`` is not set.
    """
    from compute_cli.contract import SCHEMA_VERSION
    from compute_cli.profiles.catalog import display_path

    path = Path(file)
    display = display_path(path) if path.is_absolute() else file
    if kind is not None and kind not in ("markets", "offers"):
        raise UsageError(f"--kind '{kind}': expected markets or offers{did_you_mean(kind, ('markets', 'offers'))}")
    if as_of is not None and parse_as_of(as_of) is None:
        raise UsageError(f"--as-of '{as_of}': expected a date YYYY-MM-DD (or YYYY-MM, YYYY)")
    raw = read_bounded(path, display)
    catalog = _searching_first(catalog, into)
    date = as_of or default_as_of(path)
    parsed = parse(raw, display, date if parsed_needs_date(raw) else as_of)
    found_kind = KIND_OF_FORMAT[parsed.format]
    if kind is not None and kind != found_kind:
        raise UsageError(f"--kind {kind}: {display} is a {FORMAT_NAMES[parsed.format]}, which gives {found_kind}")
    stamp = f"Prices imported with computecost prices import from {Path(display).name} ({FORMAT_NAMES[parsed.format]})."
    if found_kind == "markets":
        forced, every = parse_forced(models, "--model", catalog, "models")
        planned, not_mapped = _market_profiles(catalog, parsed.records, forced, every, stamp)
    else:
        forced, every = parse_forced(gpus, "--gpu", catalog, "hardware")
        planned, not_mapped = _offer_profiles(catalog, parsed.records, forced, every, stamp, display)
    targets = []
    for p in planned:
        target = into / p.kind / f"{p.id}.yaml"
        load_text(p.text, p.kind, display_path(target), expect_id=p.id)  # validated before anything is written
        targets.append((p, target))
    existing = [t for _p, t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(display_path(t) for t in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise UsageError(f"{names} already exist{'s' if len(existing) == 1 else ''}; nothing written. "
                         "Pass --force to replace them")
    _write_all(targets)
    return {
        "schema_version": SCHEMA_VERSION,
        "file": display,
        "format": parsed.format,
        "kind": found_kind,
        "as_of": date if parsed.format != "csv" else as_of,
        "into": display_path(into),
        "written": [{"kind": p.kind, "id": p.id, "file": display_path(t), "replaced": t in existing,
                     "based_on": p.replaces, **p.detail} for p, t in targets],
        "not_imported": not_mapped + parsed.skipped,
    }


def _searching_first(catalog, into: Path):
    """The catalog with ``into`` searched first: a profile being replaced is the one imported prices start from."""
    import copy

    if not into.is_dir() or into in catalog.dirs[:1]:
        return catalog
    out = copy.copy(catalog)
    out.dirs = [into] + [d for d in catalog.dirs if d != into]
    out._cache = {}
    return out


def parsed_needs_date(raw: bytes) -> bool:
    """JSON price lists carry no dates: theirs is the file's (or --as-of). A CSV dates every row."""
    return raw.lstrip()[:1] in (b"{", b"[")


def _write_all(targets) -> None:
    """Every file written to a temporary name first, then all renamed: a failure leaves none half-written."""
    import tempfile

    temps = []
    try:
        for p, target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps.append(tmp)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(p.text)
        for (_p, target), tmp in zip(targets, temps, strict=True):
            os.replace(tmp, target)
    except OSError as exc:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(exc.filename or "")) from None

