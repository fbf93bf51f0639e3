"""Write tui/core/data/pod_schemas.gz: the strict OpenAPI schema of a PodSpec, per Kubernetes version.

The `kubernetes-validate` package (a test dependency, ~100 MB) holds every object of every version.
ddsecure checks the pods it predicts at every generate, so it ships only the PodSpec's definitions
(closure of its $refs), without descriptions, each distinct definition once: about 13 kB.

One line per part, `KEY<TAB>JSON`: a header (`header`), each version's table (`version:MINOR`, definition
name to digest) and each definition (`definition:DIGEST`). `tui.core.pod.schema` parses only the parts a
check reaches (one table, a dozen definitions), not all of them.

    python scripts/extract_pod_schemas.py     # after upgrading kubernetes-validate
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import kubernetes_validate

ROOT = "io.k8s.api.core.v1.PodSpec"
OUT = Path(__file__).resolve().parent.parent / "tui" / "core" / "data" / "pod_schemas.gz"
_REF = re.compile(r'"\$ref": "[^"]*#/\$defs/([^"]+)"')


def _without_descriptions(node):
    if isinstance(node, dict):
        return {k: _without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    return node


def main() -> None:
    schemas = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    bodies: dict[str, dict] = {}
    versions: dict[str, dict[str, str]] = {}
    for directory in sorted(schemas.glob("v*-local-strict")):
        minor = directory.name.split(".")[1]
        definitions = json.loads((directory / "_definitions.json").read_text())["$defs"]
        seen, todo = set(), [ROOT]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += _REF.findall(json.dumps(definitions[name]))
        table = {}
        for name in sorted(seen):
            body = _without_descriptions(definitions[name])
            digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
            bodies[digest] = body
            table[name] = digest
        versions[minor] = table
    header = {"root": ROOT, "source": f"kubernetes-validate {kubernetes_validate.__version__}"}
    parts = {"header": header}
    parts.update((f"version:{minor}", table) for minor, table in sorted(versions.items(), key=lambda kv: int(kv[0])))
    parts.update((f"definition:{digest}", body) for digest, body in sorted(bodies.items()))
    text = "".join(f"{key}\t{json.dumps(part, sort_keys=True, separators=(',', ':'))}\n" for key, part in parts.items())
    OUT.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, versions 1.{min(versions, key=int)}-1.{max(versions, key=int)})")


if __name__ == "__main__":
    main()
