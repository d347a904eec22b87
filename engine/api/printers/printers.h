#pragma once
// Server-side table printing for every served kind: the columns and cells of Kubernetes'
// printers (pkg/printers/internalversion/printers.go), attached to the registry's types.

#include "engine/api/registry.h"

namespace cd::api {

// Sets columns and cells on every type the registry holds that has a printer.
void attachPrinters(Registry &registry);

} // namespace cd::api
