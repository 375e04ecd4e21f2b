"""The load test's URLs: the issue's mix of public traffic, every URL distinct, from real territories."""

from urllib.parse import parse_qs, urlsplit

import pytest

from scripts.loadtest import mix


@pytest.fixture
def sample():
    communes = [
        {
            "insee": f"{75100 + i}",
            "name": f"Ville {i}",
            "departement": f"{10 + i % 40}",
            "region": f"{20 + i % 10}",
            "lat": 45.0 + i / 100,
            "lon": 2.0 + i / 100,
        }
        for i in range(200)
    ]
    return {
        "entry_ids": list(range(1, 1500)),
        "words": ["creche", "lutins", "relais", "mediatheque", "hirondelles", "pirouette"],
        "regions": [{"code": f"{20 + i}", "box": [-1.0 + i, 43.0, 1.0 + i, 45.0]} for i in range(10)],
        "departements": [{"code": f"{10 + i}", "box": [0.1 * i, 44.0, 0.1 * i + 0.9, 44.8]} for i in range(40)],
        "communes": communes,
        "categories": ["creche", "sante", "mam", "rpe"],
        "kinds": ["etablissement", "independant"],
        "priorities": list(range(1, 11)),
    }


@pytest.mark.parametrize("total", [1000, 1001, 1200])
def test_the_mix_has_the_issue_shares_of_distinct_urls(sample, total):
    by_kind = mix.build(sample, total)
    sizes = {kind: len(urls) for kind, urls in by_kind.items()}
    assert sum(sizes.values()) == total
    for kind, share in mix.SHARES.items():
        assert abs(sizes[kind] - share * total) < 1.5, kind
    every = [url for urls in by_kind.values() for url in urls]
    assert len(set(every)) == total  # distinct, across kinds too


def test_each_kind_names_its_endpoint_and_real_filters(sample):
    by_kind = mix.build(sample, 1000)
    assert all(url.startswith(mix.MAP_API + "?zoom=") for url in by_kind["map"])
    assert all(url.startswith(mix.SEARCH_API + "?") for url in by_kind["search"])
    assert all(url.startswith(mix.DIRECTORY + "?") for url in by_kind["directory"])
    ids = {int(url.split("/")[-2]) for url in by_kind["entry"]}
    assert ids <= set(sample["entry_ids"])
    region_boxes = {",".join(f"{v:.4f}" for v in r["box"]) for r in sample["regions"]}
    zooms, boxes, filtered = set(), set(), 0
    for url in by_kind["map"]:
        query = parse_qs(urlsplit(url).query)
        zooms.add(int(query["zoom"][0]))
        boxes.update(query.get("bbox", []))
        filtered += "priorite" in query
    assert {5, 7, 9, 12} & zooms and zooms <= {5, 6, 7, 8, 9, 10, 12, 13}  # national to city
    assert region_boxes & boxes  # régional zooms show a real région's extent
    assert 0 < filtered < len(by_kind["map"])  # with and without filters
    searches = [parse_qs(urlsplit(url).query) for url in by_kind["search"]]
    assert any("q" in s for s in searches) and any("autour" in s for s in searches)
    assert all(s["q"][0].split()[0] in sample["words"] for s in searches if "q" in s)  # terms that exist


def test_the_same_sample_gives_the_same_shuffled_file(sample, tmp_path):
    files = mix.write(mix.build(sample, 1000), tmp_path)
    again = mix.write(mix.build(sample, 1000), tmp_path / "again")
    mixed = files["mix"].read_text().split()
    assert mixed == again["mix"].read_text().split()
    assert sorted(mixed) == sorted(u for kind in mix.SHARES for u in files[kind].read_text().split())
    assert mixed[:240] != files["map"].read_text().split()[:240]  # kinds interleaved, not in blocks


def test_a_sample_too_small_is_refused(sample):
    sample["entry_ids"] = list(range(1, 50))
    with pytest.raises(ValueError, match="entry pages"):
        mix.build(sample, 1000)
