#include "engine/api/metricsobjects.h"

#include "engine/core/clock.h"

#include <cstdio>

namespace cd::api::metrics {
namespace {

Json objectMeta(const Json &object, bool namespaced)
{
    // Like metrics-server: the object's name and labels, created now (metrics are never stored).
    Json meta = {{"name", str(object, {"metadata", "name"})}};
    if (namespaced)
        meta["namespace"] = str(object, {"metadata", "namespace"});
    meta["creationTimestamp"] = nowRfc3339();
    if (const Json *labels = find(object, {"metadata", "labels"}); labels && labels->is_object() && !labels->empty())
        meta["labels"] = *labels;
    return meta;
}

Json versionEntry() { return {{"groupVersion", kGroupVersion}, {"version", kVersion}}; }

} // namespace

std::string cpuQuantity(std::int64_t nanoCores)
{
    return nanoCores <= 0 ? std::string("0") : std::to_string(nanoCores) + "n";
}

std::string memoryQuantity(std::int64_t bytes)
{
    if (bytes <= 0)
        return "0";
    return bytes % 1024 == 0 ? std::to_string(bytes / 1024) + "Ki" : std::to_string(bytes);
}

std::string goDuration(std::int64_t ms)
{
    if (ms <= 0)
        return "0s";
    if (ms < 1000)
        return std::to_string(ms) + "ms";
    std::string out;
    const std::int64_t hours = ms / 3600000, minutes = ms / 60000 % 60, rest = ms % 60000;
    if (hours)
        out += std::to_string(hours) + "h";
    if (hours || minutes)
        out += std::to_string(minutes) + "m";
    std::string seconds = std::to_string(rest / 1000);
    if (rest % 1000) {
        char fraction[8];
        std::snprintf(fraction, sizeof fraction, ".%03lld", static_cast<long long>(rest % 1000));
        seconds += fraction;
        while (seconds.back() == '0')
            seconds.pop_back();
    }
    return out + seconds + "s";
}

std::optional<Json> usageOf(const Json &statsEntry)
{
    const Json *nanoCores = find(statsEntry, {"cpu", "usageNanoCores"});
    const Json *workingSet = find(statsEntry, {"memory", "workingSetBytes"});
    if (!nanoCores || !nanoCores->is_number_integer() || !workingSet || !workingSet->is_number_integer())
        return std::nullopt;
    return Json{{"cpu", cpuQuantity(nanoCores->get<std::int64_t>())},
                {"memory", memoryQuantity(workingSet->get<std::int64_t>())}};
}

std::optional<Json> nodeMetrics(const Json &node, const Json &summary, std::int64_t windowMs)
{
    const Json *stats = find(summary, {"node"});
    if (!stats)
        return std::nullopt;
    std::optional<Json> usage = usageOf(*stats);
    if (!usage)
        return std::nullopt;
    return Json{{"kind", "NodeMetrics"},
                {"apiVersion", kGroupVersion},
                {"metadata", objectMeta(node, false)},
                {"timestamp", str(*stats, {"cpu", "time"})},
                {"window", goDuration(windowMs)},
                {"usage", std::move(*usage)}};
}

std::optional<Json> podMetrics(const Json &pod, const Json &podSummary, std::int64_t windowMs)
{
    const Json *containers = find(podSummary, {"containers"});
    if (!containers || !containers->is_array() || containers->empty())
        return std::nullopt;
    Json out = Json::array();
    for (const Json &container : *containers) {
        std::optional<Json> usage = usageOf(container);
        if (!usage)
            return std::nullopt;
        out.push_back({{"name", str(container, {"name"})}, {"usage", std::move(*usage)}});
    }
    return Json{{"kind", "PodMetrics"},
                {"apiVersion", kGroupVersion},
                {"metadata", objectMeta(pod, true)},
                {"timestamp", str(podSummary, {"cpu", "time"})},
                {"window", goDuration(windowMs)},
                {"containers", std::move(out)}};
}

Json metricsList(const std::string &kind, Json items)
{
    return {{"kind", kind}, {"apiVersion", kGroupVersion}, {"metadata", Json::object()}, {"items", std::move(items)}};
}

Json apiGroup()
{
    return {{"name", kGroup}, {"versions", Json::array({versionEntry()})}, {"preferredVersion", versionEntry()}};
}

Json apiResourceList()
{
    const auto resource = [](const char *name, const char *singular, bool namespaced, const char *kind) {
        return Json{{"name", name},
                    {"singularName", singular},
                    {"namespaced", namespaced},
                    {"kind", kind},
                    {"verbs", Json::array({"get", "list"})}};
    };
    return {{"kind", "APIResourceList"},
            {"apiVersion", "v1"},
            {"groupVersion", kGroupVersion},
            {"resources", Json::array({resource("nodes", "nodemetrics", false, "NodeMetrics"),
                                       resource("pods", "podmetrics", true, "PodMetrics")})}};
}

} // namespace cd::api::metrics
