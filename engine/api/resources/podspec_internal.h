#pragma once
// Pieces of the pod spec rules shared between the podspec_*.cpp files, split by topic
// (containers, volumes, scheduling, security). Only those files include this; the interface for
// everyone else is podspec.h.

#include "engine/api/fielderrors.h"
#include "engine/api/resources/podspec.h"
#include "engine/core/json.h"
#include "engine/core/names.h"
#include "engine/core/quantity.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cd::api::podspec {

// A Pod is checked a little more strictly than a template (Kubernetes' opts.ResourceIsPod).
struct SpecContext {
    bool resourceIsPod = false;
    std::string podName; // for the names of ephemeral volumes' claims
};

// Safe access to JSON of any shape: validation must never throw on a malformed object.
const Json &arrayAt(const Json &object, std::string_view key);  // [] unless an array
const Json &objectAt(const Json &object, std::string_view key); // {} unless an object
bool present(const Json &object, std::string_view key);         // set and not null
std::string text(const Json &value);                            // the string, or ""
std::optional<long long> number(const Json &object, std::string_view key);
std::optional<Quantity> quantityOf(const Json &value);

// Kubernetes' message helpers.
std::string inclusiveRange(long long low, long long high); // "must be between 1 and 3, inclusive"
constexpr long long kMaxInt32 = 2147483647;
constexpr const char *kNegativeMessage = "must be greater than or equal to 0";
constexpr const char *kFileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive";

bool isValidIp(std::string_view text);
void validateIp(const Json &value, const FieldPath &path, FieldErrors &errors);
void validateNonNegative(const Json &object, std::string_view key, const FieldPath &path, FieldErrors &errors);
// The DNS subdomain rule with Kubernetes' "prefix" relaxation (a trailing '-' is allowed).
names::Messages subdomainName(std::string_view name, bool prefix = false);
void validateQualifiedName(const std::string &value, const FieldPath &path, FieldErrors &errors);
void validateLabelValue(const std::string &value, const FieldPath &path, FieldErrors &errors);
// Relative paths without '..' (subPath, keyToPath.path, gitRepo.directory, localhostProfile).
void validateLocalDescendingPath(const std::string &path, const FieldPath &fieldPath, FieldErrors &errors);
void validateLocalNonReservedPath(const std::string &path, const FieldPath &fieldPath, FieldErrors &errors);
// metav1.LabelSelector: matchLabels and matchExpressions.
void validateLabelSelector(const Json &selector, const FieldPath &path, FieldErrors &errors);

// Volumes: name -> the source kind set on it ("emptyDir", "persistentVolumeClaim", ...).
using VolumeKinds = std::map<std::string, std::string>;
VolumeKinds validateVolumes(const Json &volumes, const SpecContext &context, const FieldPath &path,
                            FieldErrors &errors);
// Environment (podspec_env.cpp) and the downward API references env and volume files share.
void validateEnv(const Json &env, const FieldPath &path, FieldErrors &errors);
void validateEnvFrom(const Json &envFrom, const FieldPath &path, FieldErrors &errors);
void validateObjectFieldSelector(const Json &selector, bool forVolume, const FieldPath &path, FieldErrors &errors);
void validateResourceFieldSelector(const Json &selector, bool forVolume, const FieldPath &path, FieldErrors &errors);

// Containers (podspec_containers.cpp) and their probes and handlers (podspec_probes.cpp).
void validateContainers(const Json &spec, const VolumeKinds &volumes, const SpecContext &context,
                        const FieldPath &specPath, FieldErrors &errors);
void validateInitContainers(const Json &spec, const VolumeKinds &volumes, const SpecContext &context,
                            const FieldPath &specPath, FieldErrors &errors);
void validateResourceRequirements(const Json &resources, const FieldPath &path, FieldErrors &errors);
void validateLifecycle(const Json &lifecycle, std::optional<long long> gracePeriod, const FieldPath &path,
                       FieldErrors &errors);
void validateLivenessProbe(const Json &container, std::optional<long long> gracePeriod, const FieldPath &path,
                           FieldErrors &errors);
void validateReadinessProbe(const Json &container, std::optional<long long> gracePeriod, const FieldPath &path,
                            FieldErrors &errors);
void validateStartupProbe(const Json &container, std::optional<long long> gracePeriod, const FieldPath &path,
                          FieldErrors &errors);

// Security contexts (podspec_security.cpp).
void validatePodSecurityContext(const Json &spec, const FieldPath &specPath, FieldErrors &errors);
void validateContainerSecurityContext(const Json &securityContext, bool hostUsers, const FieldPath &path,
                                      FieldErrors &errors);
void validateSeccompProfile(const Json &profile, const FieldPath &path, FieldErrors &errors);
void validateAppArmorProfile(const Json &profile, const FieldPath &path, FieldErrors &errors);

// Scheduling (podspec_scheduling.cpp).
void validateTolerations(const Json &tolerations, const FieldPath &path, FieldErrors &errors);
void validateAffinity(const Json &affinity, const FieldPath &path, FieldErrors &errors);
void validateTopologySpreadConstraints(const Json &constraints, const FieldPath &path, FieldErrors &errors);
void validateDnsConfig(const Json &spec, const FieldPath &specPath, FieldErrors &errors);
void validateHostAliases(const Json &hostAliases, const FieldPath &path, FieldErrors &errors);

// The spec rules with a context (podspec_validation.cpp).
void validatePodSpecIn(const Json &spec, const SpecContext &context, const FieldPath &path, FieldErrors &errors);

// Defaults shared with the Pod-only ones (podspec_defaults.cpp).
Json canonicalQuantity(const Json &value);

} // namespace cd::api::podspec
