#include "engine/api/printers/printers.h"

#include "engine/api/printers/printer.h"

namespace cd::api {

namespace printing {

const Printers &allPrinters()
{
    static const Printers printers = [] {
        Printers all;
        for (Printers family : {podPrinters(), workloadPrinters(), servicePrinters(), nodePrinters(),
                                storagePrinters(), configPrinters(), eventPrinters(), miscPrinters()})
            for (Printer &printer : family)
                all.push_back(std::move(printer));
        return all;
    }();
    return printers;
}

const Printer *findPrinter(const std::string &group, const std::string &kind)
{
    for (const Printer &printer : allPrinters())
        if (printer.group == group && printer.kind == kind)
            return &printer;
    return nullptr;
}

} // namespace printing

void attachPrinters(Registry &registry)
{
    // The registry is being built and is not shared yet; its types are owned through unique_ptr,
    // so they can be completed in place.
    for (const auto &type : registry.all())
        if (const printing::Printer *printer = printing::findPrinter(type->group, type->kind)) {
            type->columns = printer->columns;
            type->cells = printer->cells;
        }
}

} // namespace cd::api
