// Configuration and policy: ConfigMaps, Secrets, ServiceAccounts, ResourceQuotas and LimitRanges.

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"


namespace cd::api::printing {
namespace {

long long entries(const Json &object, std::string_view field)
{
    const Json *map = find(object, {field});
    return map && map->is_object() ? static_cast<long long>(map->size()) : 0;
}

Json configMapCells(const Json &configMap)
{
    return Json::array({str(configMap, {"metadata", "name"}),
                        entries(configMap, "data") + entries(configMap, "binaryData"),
                        age(configMap)});
}

Json secretCells(const Json &secret)
{
    return Json::array({str(secret, {"metadata", "name"}), str(secret, {"type"}), entries(secret, "data"), age(secret)});
}

Json serviceAccountCells(const Json &account)
{
    return Json::array({str(account, {"metadata", "name"}),
                        static_cast<long long>(listAt(account, {"secrets"}).size()),
                        age(account)});
}

// "cpu: 100m/1, memory: 0/1Gi" from status (what the quota controller counted), resources sorted
// by name; "limits.*" resources go to the Limit column, everything else to Request.
Json resourceQuotaCells(const Json &quota)
{
    std::string request, limit;
    const Json *hard = find(quota, {"status", "hard"});
    if (hard && hard->is_object()) {
        for (const auto &[resource, hardQuantity] : hard->items()) {  // keys come sorted
            const Json *used = find(quota, {"status", "used", resource});
            const std::string entry = resource + ": " + quantityText(used) + "/" + quantityText(&hardQuantity);
            std::string &column = resource.rfind("limits.", 0) == 0 ? limit : request;
            column += (column.empty() ? "" : ", ") + entry;
        }
    }
    return Json::array({str(quota, {"metadata", "name"}), age(quota), request, limit});
}

// Kubernetes has no printer for LimitRanges: the server's default table, with the creation
// time as an RFC 3339 date.
Json limitRangeCells(const Json &limitRange)
{
    const auto created = timeAt(limitRange, {"metadata", "creationTimestamp"});
    return Json::array({str(limitRange, {"metadata", "name"}), created ? rfc3339(*created) : "0001-01-01T00:00:00Z"});
}

} // namespace

Printers configPrinters()
{
    return {
        {"",
         "ConfigMap",
         {nameColumn(), column("Data", "integer", "The number of data entries in the config map."), ageColumn()},
         configMapCells},
        {"",
         "Secret",
         {nameColumn(),
          column("Type", "string", "The type of the secret."),
          column("Data", "integer", "The number of data entries in the secret."),
          ageColumn()},
         secretCells},
        {"",
         "ServiceAccount",
         {nameColumn(), column("Secrets", "integer", "The number of secrets the service account lists."), ageColumn()},
         serviceAccountCells},
        {"",
         "ResourceQuota",
         {nameColumn(),
          ageColumn(),
          column("Request", "string",
                 "Request represents a minimum amount of cpu/memory that a container may consume."),
          column("Limit", "string",
                 "Limits control the maximum amount of cpu/memory that a container may use independent of "
                 "contention on the node.")},
         resourceQuotaCells},
        {"",
         "LimitRange",
         {nameColumn(), {"Created At", "date", "", "When the object was created.", 0}},
         limitRangeCells},
    };
}

} // namespace cd::api::printing
