// Namespaces and Leases (printNamespace, printLease).

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

namespace cd::api::printing {
namespace {

Json namespaceCells(const Json &ns)
{
    return Json::array({str(ns, {"metadata", "name"}), str(ns, {"status", "phase"}), age(ns)});
}

Json leaseCells(const Json &lease)
{
    return Json::array({str(lease, {"metadata", "name"}), str(lease, {"spec", "holderIdentity"}), age(lease)});
}

} // namespace

Printers miscPrinters()
{
    return {
        {"", "Namespace", {nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()}, namespaceCells},
        {"coordination.k8s.io",
         "Lease",
         {nameColumn(), column("Holder", "string", "The identity of the lease's current holder."), ageColumn()},
         leaseCells},
    };
}

} // namespace cd::api::printing
