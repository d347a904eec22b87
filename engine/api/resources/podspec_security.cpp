// Security contexts of pods and containers (validatePodSpecSecurityContext, ValidateSecurityContext,
// sysctls, seccomp and AppArmor profiles in Kubernetes' pkg/apis/core/validation).

#include "engine/api/resources/podspec_internal.h"

#include <set>

namespace cd::api::podspec {
namespace {

void validateId(const Json &object, const char *key, const FieldPath &path, FieldErrors &errors)
{
    if (auto id = number(object, key); id && (*id < 0 || *id > kMaxInt32))
        errors.invalid(path.child(key), *id, inclusiveRange(0, kMaxInt32));
}

// A sysctl segment: [a-z0-9]([-_a-z0-9]*[a-z0-9])?
bool isSysctlSegment(std::string_view s)
{
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (s.empty() || !alnum(s.front()) || !alnum(s.back()))
        return false;
    for (char c : s)
        if (!alnum(c) && c != '-' && c != '_')
            return false;
    return true;
}

// Segments joined by '.' or '/', at most 253 characters (IsValidSysctlName).
bool isValidSysctlName(const std::string &name)
{
    if (name.size() > 253)
        return false;
    size_t start = 0;
    while (true) {
        const size_t sep = name.find_first_of("./", start);
        if (!isSysctlSegment(
                std::string_view(name).substr(start, sep == std::string::npos ? std::string::npos : sep - start)))
            return false;
        if (sep == std::string::npos)
            return true;
        start = sep + 1;
    }
}

// Which namespace a sysctl belongs to (component-helpers' sysctl.GetNamespace).
std::string sysctlNamespace(std::string name)
{
    for (char &c : name)
        if (c == '/')
            c = '.';
    if (name.rfind("net.", 0) == 0)
        return "net";
    if (name == "kernel.sem" || name.rfind("kernel.shm", 0) == 0 || name.rfind("kernel.msg", 0) == 0 ||
        name.rfind("fs.mqueue.", 0) == 0)
        return "ipc";
    return "";
}

void validateSysctls(const Json &spec, const Json &sysctls, const FieldPath &path, FieldErrors &errors)
{
    std::set<std::string> seen;
    for (size_t i = 0; i < sysctls.size(); ++i) {
        const std::string name = str(sysctls[i], {"name"});
        const FieldPath at = path.index(i).child("name");
        if (name.empty())
            errors.required(at);
        else if (!isValidSysctlName(name))
            errors.invalid(at, name,
                           "must have at most 253 characters and match regex "
                           "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$");
        else if (seen.count(name))
            errors.duplicate(at, name);
        const std::string ns = sysctlNamespace(name);
        if (boolean(spec, {"hostNetwork"}) && ns == "net")
            errors.invalid(at, name, "may not be specified when 'hostNetwork' is true");
        else if (boolean(spec, {"hostIPC"}) && ns == "ipc")
            errors.invalid(at, name, "may not be specified when 'hostIPC' is true");
        seen.insert(name);
    }
}

void validateWindowsOptions(const Json &options, const FieldPath &path, FieldErrors &errors)
{
    if (!options.is_object())
        return;
    if (present(options, "gmsaCredentialSpecName")) {
        const std::string name = str(options, {"gmsaCredentialSpecName"});
        errors.invalidEach(path.child("gmsaCredentialSpecName"), name, names::dns1123Subdomain(name));
    }
    if (present(options, "runAsUserName") && str(options, {"runAsUserName"}).empty())
        errors.invalid(path.child("runAsUserName"), "", "runAsUserName cannot be an empty string");
}

} // namespace

void validateSeccompProfile(const Json &profile, const FieldPath &path, FieldErrors &errors)
{
    if (!profile.is_object())
        return;
    const std::string type = str(profile, {"type"});
    if (type.empty())
        errors.required(path.child("type"), "type is required when seccompProfile is set");
    else if (type != "Localhost" && type != "RuntimeDefault" && type != "Unconfined")
        errors.notSupported(path.child("type"), type, {"Localhost", "RuntimeDefault", "Unconfined"});
    if (type == "Localhost") {
        if (!present(profile, "localhostProfile"))
            errors.required(path.child("localhostProfile"), "must be set when seccomp type is Localhost");
        else
            validateLocalDescendingPath(str(profile, {"localhostProfile"}), path.child("localhostProfile"), errors);
    } else if (present(profile, "localhostProfile")) {
        errors.invalid(path.child("localhostProfile"), profile, "can only be set when seccomp type is Localhost");
    }
}

void validateAppArmorProfile(const Json &profile, const FieldPath &path, FieldErrors &errors)
{
    if (!profile.is_object())
        return;
    const std::string type = str(profile, {"type"});
    if (type == "Localhost") {
        const std::string local = str(profile, {"localhostProfile"});
        if (!present(profile, "localhostProfile"))
            errors.required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost");
        else {
            const char *space = " \t\n\r\v\f";
            const size_t first = local.find_first_not_of(space);
            const std::string trimmed = first == std::string::npos
                                            ? std::string()
                                            : local.substr(first, local.find_last_not_of(space) - first + 1);
            if (trimmed != local)
                errors.invalid(path.child("localhostProfile"), local, "must not be padded with whitespace");
            else if (trimmed.empty())
                errors.required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost");
        }
        if (local.size() > 4095)
            errors.tooLong(path.child("localhostProfile"), 4095);
    } else if (type == "RuntimeDefault" || type == "Unconfined") {
        if (present(profile, "localhostProfile"))
            errors.invalid(path.child("localhostProfile"), profile["localhostProfile"],
                           "can only be set when AppArmor type is Localhost");
    } else if (type.empty()) {
        errors.required(path.child("type"), "type is required when appArmorProfile is set");
    } else {
        errors.notSupported(path.child("type"), type, {"Localhost", "RuntimeDefault", "Unconfined"});
    }
}

void validatePodSecurityContext(const Json &spec, const FieldPath &specPath, FieldErrors &errors)
{
    const FieldPath path = specPath.child("securityContext");
    const Json &context = objectAt(spec, "securityContext");
    if (present(spec, "securityContext")) {
        validateId(context, "fsGroup", path, errors);
        validateId(context, "runAsUser", path, errors);
        validateId(context, "runAsGroup", path, errors);
        const Json &groups = arrayAt(context, "supplementalGroups");
        for (size_t i = 0; i < groups.size(); ++i) {
            const long long gid = groups[i].is_number() ? groups[i].get<long long>() : 0;
            if (gid < 0 || gid > kMaxInt32)
                errors.invalid(path.child("supplementalGroups").index(i), gid, inclusiveRange(0, kMaxInt32));
        }
        // In Kubernetes' internal types these live in the security context, hence the path.
        if (boolean(spec, {"shareProcessNamespace"}) && boolean(spec, {"hostPID"}))
            errors.invalid(path.child("shareProcessNamespace"), true,
                           "ShareProcessNamespace and HostPID cannot both be enabled");
        if (!arrayAt(context, "sysctls").empty())
            validateSysctls(spec, context["sysctls"], path.child("sysctls"), errors);
        if (present(context, "fsGroupChangePolicy")) {
            const std::string policy = str(context, {"fsGroupChangePolicy"});
            if (policy != "OnRootMismatch" && policy != "Always")
                errors.notSupported(path.child("fsGroupChangePolicy"), policy, {"Always", "OnRootMismatch"});
        }
        if (present(context, "seccompProfile"))
            validateSeccompProfile(context["seccompProfile"], path.child("seccompProfile"), errors);
        if (present(context, "windowsOptions"))
            validateWindowsOptions(context["windowsOptions"], path.child("windowsOptions"), errors);
        if (present(context, "appArmorProfile"))
            validateAppArmorProfile(context["appArmorProfile"], path.child("appArmorProfile"), errors);
        if (present(context, "supplementalGroupsPolicy")) {
            const std::string policy = str(context, {"supplementalGroupsPolicy"});
            if (policy != "Merge" && policy != "Strict")
                errors.notSupported(path.child("supplementalGroupsPolicy"), policy, {"Merge", "Strict"});
        }
    }
}

void validateContainerSecurityContext(const Json &context, bool hostUsers, const FieldPath &path, FieldErrors &errors)
{
    if (!context.is_object())
        return;
    validateId(context, "runAsUser", path, errors);
    validateId(context, "runAsGroup", path, errors);
    if (present(context, "procMount")) {
        const std::string procMount = str(context, {"procMount"});
        if (procMount != "Default" && procMount != "Unmasked")
            errors.notSupported(path.child("procMount"), procMount, {"Default", "Unmasked"});
        if (hostUsers && procMount == "Unmasked")
            errors.invalid(path.child("procMount"), procMount, "`hostUsers` must be false to use `Unmasked`");
    }
    if (present(context, "seccompProfile"))
        validateSeccompProfile(context["seccompProfile"], path.child("seccompProfile"), errors);
    if (present(context, "allowPrivilegeEscalation") && context["allowPrivilegeEscalation"] == false) {
        if (boolean(context, {"privileged"}))
            errors.invalid(path, context, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true");
        for (const Json &capability : arrayAt(objectAt(context, "capabilities"), "add"))
            if (text(capability) == "CAP_SYS_ADMIN")
                errors.invalid(path, context,
                               "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN");
    }
    if (present(context, "windowsOptions"))
        validateWindowsOptions(context["windowsOptions"], path.child("windowsOptions"), errors);
    if (present(context, "appArmorProfile"))
        validateAppArmorProfile(context["appArmorProfile"], path.child("appArmorProfile"), errors);
}

} // namespace cd::api::podspec
