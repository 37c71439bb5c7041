#!/usr/bin/python3
"""Print what an eaformer data file (from `eaformer convert`) holds, using h5py.

    scripts/h5_summary.py JapaneseVowels.h5
Needs Debian's python3-h5py (scripts/install_deps.sh --python).
"""
import sys

import h5py


def main(path):
    with h5py.File(path, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        if attrs.get("format") != "eaformer-data":
            sys.exit(f"{path}: not an eaformer data file")
        print(f"{path}: {attrs['kind']} '{attrs['name']}' (format version {attrs['version']})")
        for i in range(2):
            if f"source{i}" in attrs:
                print(f"  source {attrs[f'source{i}']}  sha256 {attrs[f'source{i}_sha256']}")

        def show(name, obj):
            if isinstance(obj, h5py.Dataset):
                print(f"  /{name}: {obj.dtype} {obj.shape}")

        f.visititems(show)
        if attrs["kind"] == "uea_classification":
            names = [c.decode() for c in f["class_names"][:]]
            print(f"  classes: {names}")
            print(f"  first train value: {f['train/values'][0, 0, 0]}")
        else:
            print(f"  columns: {[c.decode() for c in f['columns'][:]]}")
            print(f"  first row: {f['values'][0]}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
