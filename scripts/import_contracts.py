"""An import-linter contract written as an allow-list: what a layer may import; anything else is refused.

import-linter's own contracts forbid named modules; a new dependency nobody listed passes them. This contract lists
what each layer may import instead (the standard library is always allowed). It is loaded by `lint-imports` through
`contract_types` in pyproject.toml; `make lint` puts `scripts/` on the path.
"""

from __future__ import annotations

import sys
from typing import cast

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


class AllowedImportsContract(Contract):
    """Every module of `source_modules` imports only itself, the standard library, the root package (which holds the
    version) and `allowed_modules`.

    Configuration options:
        - source_modules: the packages (with everything inside them) the allow-list is for.
        - allowed_modules: packages or modules that may be imported directly (with their descendants).
    """

    type_name = "allowed"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # the fields hold the configured lists once the contract is made (import-linter's typing says otherwise)
        sources = cast("list[str]", self.source_modules)
        allowed = cast("list[str]", self.allowed_modules or [])
        refused: list[dict[str, object]] = []
        for source in sources:
            if source not in graph.modules:
                raise ValueError(f"{source} is not a module of the graph")
            for importer in sorted({source} | graph.find_descendants(source)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if imported.split(".")[0] in sys.stdlib_module_names:
                        continue
                    if imported == source.split(".")[0]:  # the root package itself: its version, nothing else
                        continue
                    if _within(imported, source) or any(_within(imported, a) for a in allowed):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted({d["line_number"] for d in details})
                    refused.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not refused, metadata={"refused": refused})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["refused"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(f"{item['importer']} imports {item['imported']} ({lines}), which is not on its list")
            output.new_line()
