#pragma once
// Name rules of Kubernetes (apimachinery util/validation): each check returns the messages
// Kubernetes would give, empty when the value is valid.

#include <string>
#include <string_view>
#include <vector>

namespace cd::names {

using Messages = std::vector<std::string>;

Messages dns1123Subdomain(std::string_view value);  // object names of most kinds
Messages dns1123Label(std::string_view value);      // namespaces, container names, port names of pods
Messages dns1035Label(std::string_view value);      // Service names
Messages qualifiedName(std::string_view value);     // label and annotation keys: [prefix/]name
Messages labelValue(std::string_view value);
Messages ianaServiceName(std::string_view value);   // named ports
Messages portNumber(long long port);                // 1..65535
Messages cIdentifier(std::string_view value);
Messages envVarName(std::string_view value);        // printable ASCII except '='
Messages configMapKey(std::string_view value);      // keys of ConfigMap and Secret data

// Characters Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
std::string randomSuffix(int length = 5);
// A random RFC 4122 version 4 UUID.
std::string uuid();
// A random token of hex characters made from `bytes` random bytes.
std::string randomHex(int bytes);

} // namespace cd::names
