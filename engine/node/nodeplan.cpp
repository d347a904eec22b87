// The node plan: `--nodes N --node-kind KIND`, or a --node-config YAML file of mixed nodes.
// Errors name the file, the line and column, the entry and the field, so a typo is found at once.
#include "engine/node/nodemanager.h"

#include "engine/core/names.h"
#include "engine/core/quantity.h"
#include "engine/core/yaml.h"

#include <QFile>

#include <yaml-cpp/yaml.h>

#include <set>

namespace cd::node {
namespace {

const std::set<std::string> kKnownKinds = {"simulated", "process", "container", "vm"};
const std::set<std::string> kEntryFields = {"name",   "namePrefix", "count",  "kind",  "cpu",
                                            "memory", "pods",       "labels", "taints", "ephemeralStorage"};

std::string joined(const names::Messages &messages)
{
    std::string out;
    for (const std::string &m : messages)
        out += (out.empty() ? "" : "; ") + m;
    return out;
}

// Reads entries of `nodes:` and reports problems with the position of the offending field.
class PlanReader {
public:
    PlanReader(std::string source, const std::string &text) : m_source(std::move(source))
    {
        try {
            m_marks = YAML::Load(text);
        } catch (const YAML::Exception &) {
            // parseYaml already reported syntax errors; positions are a convenience.
        }
    }

    Error error(std::optional<size_t> entry, const std::string &field, const std::string &message) const
    {
        std::string where = m_source + ": ";
        if (auto mark = markOf(entry, field))
            where += "line " + std::to_string(mark->line + 1) + ", column " + std::to_string(mark->column + 1) + ": ";
        std::string path = "nodes";
        if (entry)
            path += "[" + std::to_string(*entry) + "]";
        if (!field.empty())
            path += "." + field;
        return Error::badRequest(where + path + ": " + message);
    }

private:
    std::optional<YAML::Mark> markOf(std::optional<size_t> entry, const std::string &field) const
    {
        try {
            if (!m_marks.IsMap())
                return std::nullopt;
            const YAML::Node nodes = m_marks["nodes"];
            if (!nodes)
                return m_marks.Mark();
            if (!entry)
                return nodes.Mark();
            if (!nodes.IsSequence() || *entry >= nodes.size())
                return nodes.Mark();
            const YAML::Node item = nodes[*entry];
            if (field.empty() || !item.IsMap())
                return item.Mark();
            const std::string key = field.substr(0, field.find_first_of(".["));
            for (auto it = item.begin(); it != item.end(); ++it)
                if (it->first.IsScalar() && it->first.Scalar() == key)
                    return it->second.Mark();
            return item.Mark();
        } catch (const YAML::Exception &) {
            return std::nullopt;
        }
    }

    std::string m_source;
    YAML::Node m_marks;
};

Result<std::string> quantityField(const PlanReader &reader, size_t index, const Json &entry, const char *field,
                                  const std::string &fallback)
{
    const Json *value = find(entry, {field});
    if (!value)
        return fallback;
    auto q = Quantity::fromJson(*value);
    if (!q.ok())
        return reader.error(index, field, Quantity::syntaxMessage());
    if (q->isNegative() || q->isZero())
        return reader.error(index, field, "must be greater than 0");
    return q->toString();
}

Result<std::vector<NodeSpec>> entryNodes(const PlanReader &reader, size_t index, const Json &entry)
{
    if (!entry.is_object())
        return reader.error(index, "", "must be a mapping (name, kind, cpu, memory, pods, labels, taints)");
    for (auto it = entry.begin(); it != entry.end(); ++it)
        if (!kEntryFields.count(it.key()))
            return reader.error(index, it.key(), "unknown field \"" + it.key() + "\"");
    NodeSpec base;
    if (const Json *kind = find(entry, {"kind"})) {
        if (!kind->is_string() || !kKnownKinds.count(kind->get<std::string>()))
            return reader.error(index, "kind",
                                "unsupported value " + kind->dump() +
                                    ": supported values: \"simulated\", \"process\", \"container\", \"vm\"");
        base.kind = kind->get<std::string>();
        if (base.kind == "vm")
            return reader.error(index, "kind",
                                "node kind " + base.kind + " is not available yet (simulated, process and container are)");
    }
    CD_TRY(base.cpu, quantityField(reader, index, entry, "cpu", base.cpu));
    CD_TRY(base.memory, quantityField(reader, index, entry, "memory", base.memory));
    CD_TRY(base.ephemeralStorage, quantityField(reader, index, entry, "ephemeralStorage", base.ephemeralStorage));
    if (const Json *pods = find(entry, {"pods"})) {
        if (!pods->is_number_integer() || pods->get<long long>() <= 0)
            return reader.error(index, "pods", "must be a whole number greater than 0");
        base.pods = pods->get<long long>();
    }
    if (const Json *labels = find(entry, {"labels"})) {
        if (!labels->is_object())
            return reader.error(index, "labels", "must be a mapping of label keys to values");
        for (auto it = labels->begin(); it != labels->end(); ++it) {
            const std::string key = it.key();
            if (auto m = names::qualifiedName(key); !m.empty())
                return reader.error(index, "labels", "invalid label key \"" + key + "\": " + joined(m));
            if (!it->is_string())
                return reader.error(index, "labels", "the value of \"" + key + "\" must be a string (quote it)");
            if (auto m = names::labelValue(it->get<std::string>()); !m.empty())
                return reader.error(index, "labels", "invalid value of \"" + key + "\": " + joined(m));
        }
        base.labels = *labels;
    }
    if (const Json *taints = find(entry, {"taints"})) {
        if (!taints->is_array())
            return reader.error(index, "taints", "must be a list of {key, value, effect}");
        Json normalized = Json::array();
        for (size_t t = 0; t < taints->size(); ++t) {
            const Json &taint = (*taints)[t];
            const std::string field = "taints[" + std::to_string(t) + "]";
            if (!taint.is_object())
                return reader.error(index, field, "must be a mapping {key, value, effect}");
            for (auto it = taint.begin(); it != taint.end(); ++it)
                if (it.key() != "key" && it.key() != "value" && it.key() != "effect")
                    return reader.error(index, field, "unknown field \"" + it.key() + "\"");
            const std::string key = str(taint, {"key"});
            if (auto m = names::qualifiedName(key); !m.empty())
                return reader.error(index, field + ".key", joined(m));
            const std::string value = str(taint, {"value"});
            if (auto m = names::labelValue(value); !m.empty())
                return reader.error(index, field + ".value", joined(m));
            const std::string effect = str(taint, {"effect"});
            if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
                return reader.error(index, field + ".effect",
                                    "unsupported value \"" + effect +
                                        "\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
            Json out = {{"key", key}, {"effect", effect}};
            if (!value.empty())
                out["value"] = value;
            normalized.push_back(std::move(out));
        }
        base.taints = std::move(normalized);
    }

    const Json *name = find(entry, {"name"});
    const Json *prefix = find(entry, {"namePrefix"});
    const Json *count = find(entry, {"count"});
    if (name && prefix)
        return reader.error(index, "namePrefix", "give either name (one node) or namePrefix and count, not both");
    std::vector<NodeSpec> out;
    if (name) {
        if (!name->is_string())
            return reader.error(index, "name", "must be a string");
        if (count && !(count->is_number_integer() && count->get<long long>() == 1))
            return reader.error(index, "count", "a named entry is one node: use namePrefix for several");
        base.name = name->get<std::string>();
        if (auto m = names::dns1123Subdomain(base.name); !m.empty())
            return reader.error(index, "name", "invalid node name \"" + base.name + "\": " + joined(m));
        out.push_back(base);
        return out;
    }
    if (!prefix)
        return reader.error(index, "name", "required: give name, or namePrefix and count");
    if (!prefix->is_string())
        return reader.error(index, "namePrefix", "must be a string");
    long long n = 1;
    if (count) {
        if (!count->is_number_integer() || count->get<long long>() < 1 || count->get<long long>() > 100000)
            return reader.error(index, "count", "must be a whole number from 1 to 100000");
        n = count->get<long long>();
    }
    for (long long i = 1; i <= n; ++i) {
        NodeSpec spec = base;
        spec.name = prefix->get<std::string>() + "-" + std::to_string(i);
        if (auto m = names::dns1123Subdomain(spec.name); !m.empty())
            return reader.error(index, "namePrefix", "invalid node name \"" + spec.name + "\": " + joined(m));
        out.push_back(std::move(spec));
    }
    return out;
}

} // namespace

std::vector<NodeSpec> uniformNodes(int count, const std::string &kind)
{
    std::vector<NodeSpec> nodes;
    nodes.reserve(count > 0 ? size_t(count) : 0);
    for (int i = 1; i <= count; ++i) {
        NodeSpec spec;
        spec.name = "node-" + std::to_string(i);
        spec.kind = kind;
        nodes.push_back(spec);
    }
    return nodes;
}

Status checkNodePlan(const std::vector<NodeSpec> &nodes)
{
    std::set<std::string> names;
    for (const NodeSpec &node : nodes) {
        if (!kKnownKinds.count(node.kind))
            return Error::badRequest("unknown node kind \"" + node.kind +
                                     "\": the kinds are simulated, process, container and vm");
        if (node.kind == "vm")
            return Error::badRequest("node kind " + node.kind +
                                     " is not available yet: use --node-kind process, container or simulated");
        if (!names.insert(node.name).second)
            return Error::badRequest("node " + node.name + " is planned twice: node names must be unique");
    }
    return {};
}

Result<std::vector<NodeSpec>> parseNodeConfig(const std::string &text, const std::string &source)
{
    auto parsed = parseYaml(text);
    if (!parsed.ok())
        return Error::badRequest(source + ": " + parsed.error().message);
    const PlanReader reader(source, text);
    const Json &root = *parsed;
    if (!root.is_object() || !root.contains("nodes"))
        return Error::badRequest(source + ": expected a mapping with a `nodes:` list");
    // A Clusterdeck project file (clusterdeck.yaml) is a node config too: its canvas layout rides along.
    for (auto it = root.begin(); it != root.end(); ++it)
        if (it.key() != "nodes" && it.key() != "layout")
            return Error::badRequest(source + ": unknown field \"" + it.key() + "\" (expected `nodes:` and `layout:`)");
    const Json &entries = root["nodes"];
    if (!entries.is_array())
        return reader.error(std::nullopt, "", "must be a list of node entries");
    std::vector<NodeSpec> plan;
    std::set<std::string> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
        CD_TRY(std::vector<NodeSpec> nodes, entryNodes(reader, i, entries[i]));
        for (NodeSpec &node : nodes) {
            if (!seen.insert(node.name).second)
                return reader.error(i, find(entries[i], {"name"}) ? "name" : "namePrefix",
                                    "node " + node.name + " is already in the plan");
            plan.push_back(std::move(node));
        }
    }
    CD_CHECK(checkNodePlan(plan));
    return plan;
}

Result<std::vector<NodeSpec>> readNodeConfig(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badRequest("cannot read the node config " + path.toStdString() + ": " +
                                 file.errorString().toStdString());
    return parseNodeConfig(file.readAll().toStdString(), path.toStdString());
}

} // namespace cd::node
