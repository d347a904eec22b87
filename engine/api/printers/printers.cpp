// PLACEHOLDER until the printers land: types keep the default Name / Created At table.
#include "engine/api/printers/printers.h"
namespace cd::api {
void attachPrinters(Registry &) {}
} // namespace cd::api
