#pragma once
// The run defaults an image carries (the "config" object of a Docker or OCI image config):
// what the runtime uses when a container does not say otherwise.

#include "engine/core/json.h"

#include <string>
#include <vector>

namespace cd::runtime::images {

struct ImageConfig {
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> env; // "NAME=value"
    std::string workingDir;
    std::string user;
    std::vector<std::string> exposedPorts; // "80/tcp", sorted

    // Reads the "config" object of an image config (Docker's and OCI's share the field names).
    static ImageConfig fromJson(const Json &config);
    Json toJson() const;
    bool empty() const;
    bool operator==(const ImageConfig &) const = default;
};

} // namespace cd::runtime::images
