#!/usr/bin/python3
"""Checks every .onnx file the ONNX tests wrote with Debian's python3-onnx (a consumer nobody here
wrote): onnx.checker.check_model with full_check=True, which also runs strict shape inference.

usage: check_onnx_files.py FOLDER [REQUIRED_FILE ...]
Fails if the folder holds no .onnx file, if a REQUIRED_FILE is missing, or if any file is rejected.
"""
import pathlib
import sys

import onnx
import onnx.checker


def main():
    folder = pathlib.Path(sys.argv[1])
    files = sorted(folder.glob("*.onnx"))
    missing = [name for name in sys.argv[2:] if not (folder / name).exists()]
    if not files or missing:
        print(f"no .onnx files in {folder}" if not files else f"missing: {', '.join(missing)}")
        return 1
    failed = 0
    for path in files:
        try:
            onnx.checker.check_model(str(path), full_check=True)
            model = onnx.load(str(path))
            opset = {o.domain: o.version for o in model.opset_import}[""]
            print(f"ok   {path.name}: {len(model.graph.node)} nodes, opset {opset}, onnx {onnx.__version__}")
        except Exception as e:  # noqa: BLE001 (report every rejected file, then fail)
            failed += 1
            print(f"FAIL {path.name}: {e}")
    print(f"{len(files) - failed} of {len(files)} files accepted by onnx.checker (full_check=True)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
