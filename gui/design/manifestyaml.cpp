#include "gui/design/designdocument.h"

#include "engine/core/yaml.h"

namespace cd::gui {

namespace {

// The order people write manifests in: apiVersion, kind, metadata first, status last, and in
// every mapping the name first (metadata, containers, ports, volumes); the rest alphabetically.
int keyRank(const std::string &key)
{
    static const std::pair<const char *, int> ranks[] = {
        {"apiVersion", -6}, {"kind", -5}, {"name", -4}, {"namespace", -3}, {"metadata", -2}, {"status", 10}};
    for (const auto &[name, rank] : ranks)
        if (key == name)
            return rank;
    return 0;
}

} // namespace

QString manifestYaml(const Json &object)
{
    return QString::fromStdString(toYaml(object, keyRank));
}

} // namespace cd::gui
