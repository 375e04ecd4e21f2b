"""The URLs of the load test, built from a registry sample (`sample.read_sample`): pure,
seeded, no database. Mixed public traffic as the issue states it: 40 % map API, 30 % search
API, 20 % entry pages, 10 % directory pages, all distinct, shuffled together."""

import random
from pathlib import Path
from urllib.parse import urlencode

SHARES = {"map": 0.40, "search": 0.30, "entry": 0.20, "directory": 0.10}
MAP_API, SEARCH_API, DIRECTORY = "/api/v1/map/", "/api/v1/entries/", "/annuaire/"
# Map zooms as the directory's map asks them: (label, zooms, how the box is chosen).
MAP_ZOOMS = (
    ("national", (5, 6), None),
    ("régional", (7, 8), "regions"),
    ("départemental", (9, 10), "departements"),
    ("city", (12, 13), "city"),
)
CITY_HALF = (0.05, 0.08)  # half height and width of a city view, in degrees


def counts(total: int) -> dict:
    """URLs per kind for `total` URLs, the rounding left-over given to the largest share."""
    result = {kind: int(total * share) for kind, share in SHARES.items()}
    result["map"] += total - sum(result.values())
    return result


def _box(values) -> str:
    return ",".join(f"{v:.4f}" for v in values)


def _url(path: str, params: dict) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _map(rng: random.Random, sample: dict, filtered: bool) -> str:
    _label, zooms, zone = rng.choice(MAP_ZOOMS)
    params = {"zoom": rng.choice(zooms)}
    if zone == "city":
        commune = rng.choice(sample["communes"])
        half_lat, half_lon = CITY_HALF
        params["bbox"] = _box(
            (commune["lon"] - half_lon, commune["lat"] - half_lat, commune["lon"] + half_lon, commune["lat"] + half_lat)
        )
    elif zone:
        params["bbox"] = _box(rng.choice(sample[zone])["box"])
    if filtered:
        params["priorite"] = rng.choice(sample["priorities"])
        if rng.random() < 0.6:
            params["categorie"] = rng.choice(sample["categories"])
        if rng.random() < 0.2:
            params["type"] = rng.choice(sample["kinds"])
    return _url(MAP_API, params)


def _search(rng: random.Random, sample: dict) -> str:
    commune = rng.choice(sample["communes"])
    flavour = rng.randrange(4)
    if flavour == 0:  # text, sometimes with a town's name
        words = rng.choice(sample["words"]) + (f" {commune['name']}" if rng.random() < 0.5 else "")
        params = {"q": words}
    elif flavour == 1:  # priority and département
        params = {"priorite": rng.choice(sample["priorities"]), "departement": commune["departement"]}
    elif flavour == 2:  # near a commune
        params = {"autour": commune["insee"], "km": rng.choice((5, 10, 20))}
    else:  # combined
        params = {"q": rng.choice(sample["words"]), "priorite": rng.choice(sample["priorities"]), "region": commune["region"]}
    # No page number: a page past the last one answers 404 (the directory page shows its last page instead).
    return _url(SEARCH_API, params)


def _directory(rng: random.Random, sample: dict) -> str:
    commune = rng.choice(sample["communes"])
    params = {}
    choice = rng.randrange(4)
    if choice == 0:
        params = {"priorite": rng.choice(sample["priorities"]), "departement": commune["departement"]}
    elif choice == 1:
        params = {"categorie": rng.choice(sample["categories"]), "region": commune["region"]}
    elif choice == 2:
        params = {"q": rng.choice(sample["words"])}
    else:
        params = {"categorie": rng.choice(sample["categories"]), "departement": commune["departement"]}
    if rng.random() < 0.3:
        params["page"] = rng.randint(2, 3)
    return _url(DIRECTORY, params)


def build(sample: dict, total: int = 1200, seed: int = 16) -> dict[str, list[str]]:
    """Distinct URLs per kind (`counts(total)` of each), from `sample`. Raise ValueError when
    the sample is too small to give that many distinct URLs of a kind."""
    rng = random.Random(seed)
    wanted = counts(total)
    makers = {
        "map": lambda: _map(rng, sample, filtered=rng.random() < 0.5),
        "search": lambda: _search(rng, sample),
        "directory": lambda: _directory(rng, sample),
    }
    result = {}
    for kind, count in wanted.items():
        if kind == "entry":
            ids = sorted(set(sample["entry_ids"]))
            if len(ids) < count:
                raise ValueError(f"{len(ids)} published entries sampled, {count} entry pages wanted")
            result[kind] = [f"/annuaire/fiches/{pk}/" for pk in rng.sample(ids, count)]
            continue
        urls: dict[str, None] = {}  # insertion-ordered set: the same seed gives the same file
        for _ in range(count * 50):
            if len(urls) == count:
                break
            urls[makers[kind]()] = None
        if len(urls) < count:
            raise ValueError(f"only {len(urls)} distinct {kind} URLs from this sample, {count} wanted")
        result[kind] = list(urls)
    return result


def shuffled(by_kind: dict[str, list[str]], seed: int = 16) -> list[str]:
    """Every URL of every kind once, in a seeded random order."""
    urls = [url for kind in SHARES for url in by_kind[kind]]
    random.Random(seed).shuffle(urls)
    return urls


def write(by_kind: dict[str, list[str]], folder: Path) -> dict[str, Path]:
    """One file per kind plus `mix.txt` (all, shuffled), one path a line: name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, urls in {"mix": shuffled(by_kind), **by_kind}.items():
        files[name] = folder / f"{name}.txt"
        files[name].write_text("\n".join(urls) + "\n", encoding="utf-8")
    return files
