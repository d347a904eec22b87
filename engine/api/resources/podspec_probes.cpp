// Probes and lifecycle hooks (validateProbe, validateHandler and friends in Kubernetes'
// pkg/apis/core/validation): exactly one handler, non-negative timings, valid ports.

#include "engine/api/resources/podspec_internal.h"

namespace cd::api::podspec {
namespace {

// An HTTP header name: alphanumerics and '-' (validation.IsHTTPHeaderName).
bool isHttpHeaderName(const std::string &name)
{
    if (name.empty())
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
            return false;
    return true;
}

void validatePortNumberOrName(const Json &port, const FieldPath &path, FieldErrors &errors)
{
    if (port.is_string()) {
        const std::string name = port.get<std::string>();
        errors.invalidEach(path, name, names::ianaServiceName(name));
    } else {
        const long long value = port.is_number() ? port.get<long long>() : 0;
        errors.invalidEach(path, value, names::portNumber(value));
    }
}

void validateHttpGet(const Json &action, const FieldPath &path, FieldErrors &errors)
{
    if (str(action, {"path"}).empty())
        errors.required(path.child("path"));
    validatePortNumberOrName(present(action, "port") ? action["port"] : Json(0), path.child("port"), errors);
    const std::string scheme = str(action, {"scheme"});
    if (scheme != "HTTP" && scheme != "HTTPS")
        errors.notSupported(path.child("scheme"), scheme, {"HTTP", "HTTPS"});
    for (const Json &header : arrayAt(action, "httpHeaders")) {
        const std::string name = str(header, {"name"});
        if (!isHttpHeaderName(name))
            errors.invalid(path.child("httpHeaders"), name,
                           "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
                           " regex used for validation is '[-A-Za-z0-9]+')");
    }
}

// Probes take exec, httpGet, tcpSocket or grpc; lifecycle hooks exec, httpGet, tcpSocket or sleep.
void validateHandler(const Json &handler, bool lifecycle, std::optional<long long> gracePeriod, const FieldPath &path,
                     FieldErrors &errors)
{
    int handlers = 0;
    auto take = [&](const char *kind) {
        if (!present(handler, kind))
            return false;
        if (handlers > 0) {
            errors.forbidden(path.child(kind), "may not specify more than 1 handler type");
            return false;
        }
        ++handlers;
        return true;
    };
    if (take("exec") && arrayAt(handler["exec"], "command").empty())
        errors.required(path.child("exec").child("command"));
    if (take("httpGet"))
        validateHttpGet(handler["httpGet"], path.child("httpGet"), errors);
    if (take("tcpSocket")) {
        const Json &tcp = handler["tcpSocket"];
        validatePortNumberOrName(present(tcp, "port") ? tcp["port"] : Json(0), path.child("tcpSocket").child("port"),
                                 errors);
    }
    if (!lifecycle && take("grpc")) {
        const long long port = number(handler["grpc"], "port").value_or(0);
        errors.invalidEach(path.child("grpc").child("port"), port, names::portNumber(port));
    }
    if (lifecycle && take("sleep")) {
        const long long seconds = number(handler["sleep"], "seconds").value_or(0);
        // An invalid grace period is reported on its own; no second error here.
        if (gracePeriod && (seconds <= 0 || seconds > *gracePeriod))
            errors.invalid(path.child("sleep"), seconds,
                           "must be greater than 0 and less than terminationGracePeriodSeconds (" +
                               std::to_string(*gracePeriod) +
                               "). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.");
    }
    if (handlers == 0)
        errors.required(path, "must specify a handler type");
}

// Returns the probe, or null when the container has none.
const Json *validateProbe(const Json &container, const char *key, std::optional<long long> gracePeriod,
                          const FieldPath &path, FieldErrors &errors)
{
    if (!present(container, key))
        return nullptr;
    const Json &probe = container[key];
    validateHandler(probe, false, gracePeriod, path, errors);
    for (const char *field :
         {"initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"})
        validateNonNegative(probe, field, path.child(field), errors);
    if (auto grace = number(probe, "terminationGracePeriodSeconds"); grace && *grace <= 0)
        errors.invalid(path.child("terminationGracePeriodSeconds"), *grace, "must be greater than 0");
    return &probe;
}

void requireSuccessThresholdOne(const Json *probe, const FieldPath &path, FieldErrors &errors)
{
    if (!probe)
        return;
    const long long threshold = number(*probe, "successThreshold").value_or(0);
    if (threshold != 1)
        errors.invalid(path.child("successThreshold"), threshold, "must be 1");
}

} // namespace

void validateLifecycle(const Json &lifecycle, std::optional<long long> gracePeriod, const FieldPath &path,
                       FieldErrors &errors)
{
    for (const char *hook : {"postStart", "preStop"})
        if (present(lifecycle, hook))
            validateHandler(lifecycle[hook], true, gracePeriod, path.child(hook), errors);
}

void validateLivenessProbe(const Json &container, std::optional<long long> gracePeriod, const FieldPath &path,
                           FieldErrors &errors)
{
    requireSuccessThresholdOne(validateProbe(container, "livenessProbe", gracePeriod, path, errors), path, errors);
}

void validateReadinessProbe(const Json &container, std::optional<long long> gracePeriod, const FieldPath &path,
                            FieldErrors &errors)
{
    const Json *probe = validateProbe(container, "readinessProbe", gracePeriod, path, errors);
    if (probe && present(*probe, "terminationGracePeriodSeconds"))
        errors.invalid(path.child("terminationGracePeriodSeconds"), (*probe)["terminationGracePeriodSeconds"],
                       "must not be set for readinessProbes");
}

void validateStartupProbe(const Json &container, std::optional<long long> gracePeriod, const FieldPath &path,
                          FieldErrors &errors)
{
    requireSuccessThresholdOne(validateProbe(container, "startupProbe", gracePeriod, path, errors), path, errors);
}

} // namespace cd::api::podspec
