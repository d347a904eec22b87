#pragma once
// One kind's printer: the columns of its Table and the cells of one row, as Kubernetes'
// pkg/printers/internalversion/printers.go defines them. Each printers_<family>.cpp gives the
// printers of one family; printers.cpp attaches them to the registry's types.

#include "engine/api/resourcetype.h"

#include <functional>
#include <string>
#include <vector>

namespace cd::api::printing {

struct Printer {
    std::string group;  // "" for the core group
    std::string kind;
    std::vector<TableColumn> columns;
    std::function<Json(const Json &object)> cells;  // all cells, wide ones included
};

using Printers = std::vector<Printer>;

Printers podPrinters();        // Pod
Printers workloadPrinters();   // Deployment, ReplicaSet, Job
Printers servicePrinters();    // Service, Endpoints, EndpointSlice
Printers nodePrinters();       // Node
Printers storagePrinters();    // PersistentVolume, PersistentVolumeClaim, StorageClass
Printers configPrinters();     // ConfigMap, Secret, ServiceAccount, ResourceQuota, LimitRange
Printers eventPrinters();      // Event
Printers miscPrinters();       // Namespace, Lease

// Every printer of every family, built once.
const Printers &allPrinters();
// The printer of a kind, or nullptr when Kubernetes has none (the default Name / Created At table).
const Printer *findPrinter(const std::string &group, const std::string &kind);

} // namespace cd::api::printing
