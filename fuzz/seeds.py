#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into fuzz/seeds/<target>/ from the repository's
own inputs: the bundled project, the import fixtures and the metafor reference data.
Each seed is a valid input, so the fuzzer starts from deep inside every parser."""

import csv
import io
import json
import pathlib
import shutil

FUZZ = pathlib.Path(__file__).resolve().parent
REPO = FUZZ.parent
SEEDS = FUZZ / "seeds"

# Order of Measure::ALL and of the analyse_csv target's method list.
MEASURES = ["RR", "OR", "RD", "PETO", "MD", "SMD", "PR", "PLO", "PFT", "MC", "SMCR"]
METHODS = ["FE", "DL", "REML", "PM", "MH", "PETO"]
KIND_MEASURES = {
    "ai": ["RR", "OR", "RD", "PETO"],
    "m1i": ["MD", "SMD"],
    "xi": ["PR", "PLO", "PFT"],
    "ri": ["MC", "SMCR"],
}


def write(target, name, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)

    write("load_project", "brief.toml", b"\x00" + (REPO / "brief.toml").read_bytes())
    for study in sorted((REPO / "data/studies").glob("*.toml")):
        write("load_project", study.name, b"\x01" + study.read_bytes())

    imports = REPO / "tests/fixtures/import"
    targets = {".ris": "import_ris", ".nbib": "import_nbib", ".bib": "import_bibtex",
               ".json": "import_csl_json"}
    for path in sorted(imports.rglob("*")):
        if path.suffix in targets:
            write(targets[path.suffix], path.name, path.read_bytes())
    for path in sorted((REPO / "data").rglob("*.bib")):
        write("import_bibtex", "data-" + path.name, path.read_bytes())

    for path in sorted((REPO / "tests/metafor").glob("*.json")):
        data = json.loads(path.read_text()).get("data")
        if not data:
            continue
        columns = list(data)
        rows = zip(*(data[c] for c in columns))
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        kind = next((k for k in ["ri", "ai", "m1i", "xi"] if k in columns), None)
        for measure in KIND_MEASURES.get(kind, ["MD"]):
            for method in ["FE", "REML"] + (["MH"] if measure in ("RR", "OR", "RD") else []):
                header = bytes([MEASURES.index(measure), METHODS.index(method), 1, 0x40])
                write("analyse_csv", f"{path.stem}-{measure}-{method}.csv",
                      header + text.getvalue().encode())

    # The stats target reads structured bytes; a few fixed patterns start it off.
    for i, pattern in enumerate([bytes(range(256)), b"\x00" * 64, b"\x05\x01" * 64]):
        write("stats", f"pattern-{i}", pattern)


if __name__ == "__main__":
    main()
