// Events (printEvent). Core v1 Events come from two writers: the old event recorder sets
// firstTimestamp/lastTimestamp/count, the events.k8s.io one sets eventTime and, for repeats,
// series. The cells read whichever is there, as Kubernetes v1.32 does.

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

#include <algorithm>
#include <cctype>

namespace cd::api::printing {
namespace {

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::string trimSpace(const std::string &text)
{
    const auto isSpace = [](unsigned char c) { return std::isspace(c) != 0; };
    auto begin = std::find_if_not(text.begin(), text.end(), isSpace);
    auto end = std::find_if_not(text.rbegin(), text.rend(), isSpace).base();
    return begin < end ? std::string(begin, end) : std::string();
}

// "kubelet, node1": the component and host, falling back to the reporting controller and instance.
std::string eventSource(const Json &event)
{
    std::string component = str(event, {"source", "component"});
    if (component.empty())
        component = str(event, {"reportingComponent"});
    std::string host = str(event, {"source", "host"});
    if (host.empty())
        host = str(event, {"reportingInstance"});
    return host.empty() ? component : component + ", " + host;
}

Json eventCells(const Json &event)
{
    Json firstSeen = sinceAt(event, {"firstTimestamp"});
    if (!timeAt(event, {"firstTimestamp"}))
        firstSeen = sinceAt(event, {"eventTime"});
    Json lastSeen = sinceAt(event, {"lastTimestamp"});
    if (!timeAt(event, {"lastTimestamp"}))
        lastSeen = firstSeen;

    long long count = integer(event, {"count"});
    if (has(event, {"series"})) {
        lastSeen = sinceAt(event, {"series", "lastObservedTime"});
        count = integer(event, {"series", "count"});
    } else if (count == 0) {
        count = 1;  // a singleton event written through the new API has no count
    }

    const std::string kind = lowercase(str(event, {"involvedObject", "kind"}));
    const std::string name = str(event, {"involvedObject", "name"});
    const std::string object = name.empty() ? kind : kind + "/" + name;

    return Json::array({lastSeen,
                        str(event, {"type"}),
                        str(event, {"reason"}),
                        object,
                        str(event, {"involvedObject", "fieldPath"}),
                        eventSource(event),
                        trimSpace(str(event, {"message"})),
                        firstSeen,
                        count,
                        str(event, {"metadata", "name"})});
}

} // namespace

Printers eventPrinters()
{
    TableColumn name = nameColumn();
    name.priority = 1;  // events list the name last, and only with -o wide
    return {{"",
             "Event",
             {column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
              column("Type", "string", "Type of this event (Normal, Warning)."),
              column("Reason", "string", "Short, machine understandable reason for the event."),
              column("Object", "string", "The object this event is about."),
              wideColumn("Subobject", "string", "The part of the object the event is about, such as a container."),
              wideColumn("Source", "string", "The component reporting this event."),
              column("Message", "string", "A human-readable description of the event."),
              wideColumn("First Seen", "string", "The time at which the event was first recorded."),
              wideColumn("Count", "string", "The number of times this event has occurred."),
              name},
             eventCells}};
}

} // namespace cd::api::printing
