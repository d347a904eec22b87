#pragma once
// Helpers shared by the rules of the core kinds (Services, Endpoints, Nodes, volumes, config,
// quotas and limit ranges, events, leases, EndpointSlices, StorageClasses): quantities, IP
// addresses, base64 and label selectors, each with Kubernetes' wording. Bad values printed the
// way Go prints them come from gosyntax.h.

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"
#include "engine/core/quantity.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cd::api::corekinds {

// --- Quantities --------------------------------------------------------------------------

// The quantity at `value` (a string or number), or an Invalid error at `path`.
std::optional<Quantity> quantityAt(const Json &value, const FieldPath &path, FieldErrors &errors);
// Rewrites every quantity of a resource list ({cpu: 0.5} -> {cpu: 500m}), rounded up to
// milli-units as Kubernetes' SetDefaults_ResourceList does. Unparseable values stay as given.
void canonicalizeResourceList(Json *list);
// ValidateNonnegativeQuantity: `Invalid value: "-1": must be greater than or equal to 0`.
void validateNonnegativeQuantity(const Quantity &q, const FieldPath &path, FieldErrors &errors);

// --- Resource names (quotas, limit ranges) -----------------------------------------------

bool isStandardResourceName(std::string_view name);
bool isStandardContainerResourceName(std::string_view name);
bool isStandardQuotaResourceName(std::string_view name);
bool isNativeResource(std::string_view name);
bool isExtendedResourceName(std::string_view name);
bool isIntegerResourceName(std::string_view name);
bool isOvercommitAllowed(std::string_view name);
// validateResourceName: a qualified name; unprefixed names must be standard.
void validateResourceName(const std::string &name, const FieldPath &path, FieldErrors &errors);
// ValidateResourceQuantityValue: non-negative, whole for countable resources.
void validateResourceQuantityValue(const std::string &name, const Quantity &q, const FieldPath &path,
                                   FieldErrors &errors);

// --- IP addresses ------------------------------------------------------------------------

struct IpAddress {
    int family = 4;                       // 4 or 6
    std::array<std::uint8_t, 16> bytes{}; // IPv4 in the first 4 bytes
};
// netutils.ParseIPSloppy: dotted IPv4 (leading zeros allowed) or IPv6.
std::optional<IpAddress> parseIp(std::string_view text);
bool isIPv6(std::string_view text);
// IsValidIP: `must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`.
void validateIp(const std::string &value, const FieldPath &path, FieldErrors &errors);
// IsValidCIDR: `must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`.
void validateCidr(const std::string &value, const FieldPath &path, FieldErrors &errors);
// The IP family of a CIDR (4 or 6), 0 when it does not parse.
int cidrFamily(std::string_view text);
// ValidateNonSpecialIP: no unspecified, loopback or link-local addresses.
void validateNonSpecialIp(const std::string &value, const FieldPath &path, FieldErrors &errors);

// --- base64 (Go's StdEncoding, as JSON []byte fields decode) -----------------------------

struct Base64 {
    std::string bytes;
    long long errorAt = -1; // the input byte Go's decoder reports, -1 when valid
};
Base64 decodeBase64(std::string_view text);
std::string encodeBase64(std::string_view bytes);

// --- Selectors ---------------------------------------------------------------------------

// metav1.LabelSelector: matchLabels and matchExpressions (ValidateLabelSelector).
void validateLabelSelector(const Json &selector, const FieldPath &path, FieldErrors &errors);
// Label keys as Kubernetes checks them (ValidateLabelName): qualified names.
void validateLabelName(const std::string &key, const FieldPath &path, FieldErrors &errors);
// core.NodeSelector: nodeSelectorTerms with matchExpressions and matchFields.
void validateNodeSelector(const Json &selector, const FieldPath &path, FieldErrors &errors);

// --- Small JSON helpers ------------------------------------------------------------------

// The value at a path of keys, or null.
const Json &at(const Json &object, std::initializer_list<std::string_view> path);
// A JSON array (empty when missing or of another type), so loops need no checks.
const Json &arrayAt(const Json &object, std::initializer_list<std::string_view> path);
// The object at a path (empty when missing).
const Json &objectAt(const Json &object, std::initializer_list<std::string_view> path);
// An empty map/list or null counts as absent, as Go's nil and empty values do.
bool isEmptyValue(const Json *value);

} // namespace cd::api::corekinds
