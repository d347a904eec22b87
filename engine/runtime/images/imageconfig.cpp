#include "engine/runtime/images/imageconfig.h"

namespace cd::runtime::images {

namespace {

std::vector<std::string> strings(const Json &object, std::string_view key)
{
    std::vector<std::string> values;
    const Json *array = find(object, {key});
    if (!array || !array->is_array())
        return values;
    for (const Json &value : *array)
        if (value.is_string())
            values.push_back(value.get<std::string>());
    return values;
}

} // namespace

ImageConfig ImageConfig::fromJson(const Json &config)
{
    ImageConfig result;
    if (!config.is_object())
        return result;
    result.entrypoint = strings(config, "Entrypoint");
    result.cmd = strings(config, "Cmd");
    result.env = strings(config, "Env");
    result.workingDir = str(config, {"WorkingDir"});
    result.user = str(config, {"User"});
    if (const Json *ports = find(config, {"ExposedPorts"}); ports && ports->is_object())
        for (const auto &[port, unused] : ports->items())
            result.exposedPorts.push_back(port); // nlohmann keeps object keys sorted
    return result;
}

Json ImageConfig::toJson() const
{
    Json config = Json::object();
    if (!entrypoint.empty())
        config["Entrypoint"] = entrypoint;
    if (!cmd.empty())
        config["Cmd"] = cmd;
    if (!env.empty())
        config["Env"] = env;
    if (!workingDir.empty())
        config["WorkingDir"] = workingDir;
    if (!user.empty())
        config["User"] = user;
    if (!exposedPorts.empty()) {
        Json ports = Json::object();
        for (const std::string &port : exposedPorts)
            ports[port] = Json::object();
        config["ExposedPorts"] = ports;
    }
    return config;
}

bool ImageConfig::empty() const
{
    return *this == ImageConfig();
}

} // namespace cd::runtime::images
