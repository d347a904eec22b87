#pragma once
// Image references as Docker and containerd read them (github.com/distribution/reference):
// NAME[:TAG][@DIGEST], where NAME is [DOMAIN/]PATH. Normalization fills in what people leave out:
// "busybox" -> "docker.io/library/busybox:latest", "localhost:5000/x" keeps its registry.

#include "engine/core/result.h"

#include <string>
#include <string_view>

namespace cd::runtime::images {

struct ImageReference {
    std::string domain; // "docker.io", "localhost:5000", "registry.example"
    std::string path;   // "library/busybox", "team/app"
    std::string tag;    // "latest" when neither a tag nor a digest was given; may be empty with a digest
    std::string digest; // "sha256:<64 hex>", or empty

    // "docker.io/library/busybox"
    std::string repository() const { return domain + '/' + path; }
    // The normalized reference: "docker.io/library/busybox:latest", "x.io/app@sha256:..."
    std::string toString() const;
    // The short form people type, as Docker prints it: "busybox:latest", "localhost:5000/x:1".
    std::string familiar() const;
    // The short repository without tag or digest: "busybox".
    std::string familiarRepository() const;

    bool operator==(const ImageReference &) const = default;
};

// Parses and normalizes; the error says what is wrong with the text.
Result<ImageReference> parseImageReference(std::string_view text);

} // namespace cd::runtime::images
