#pragma once
// Field-level validation errors with Kubernetes' wording (apimachinery validation/field), so a
// message reads exactly as `kubectl` users know it: `spec.replicas: Invalid value: -1: must be ...`.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <string>
#include <vector>

namespace cd::api {

// A field path under construction: path.child("spec").child("containers").index(0).key("app").
class FieldPath {
public:
    FieldPath() = default;
    explicit FieldPath(std::string root) : m_text(std::move(root)) {}
    FieldPath child(const std::string &name) const;
    FieldPath index(size_t i) const;
    FieldPath key(const std::string &k) const;  // map key: labels[app]
    const std::string &str() const { return m_text; }

private:
    std::string m_text;
};

class FieldErrors {
public:
    void required(const FieldPath &path, const std::string &detail = {});
    void invalid(const FieldPath &path, const Json &value, const std::string &detail);
    void duplicate(const FieldPath &path, const Json &value);
    void notSupported(const FieldPath &path, const Json &value, const std::vector<std::string> &supported);
    // The same with a bad value already printed the way Kubernetes prints it: Go's %#v for maps
    // and structs (map[string]string{"app":"web"}, v1.LabelSelector{...}). An empty text omits
    // the value, as Go does for field.OmitValueType ("Invalid value: <detail>").
    void invalidPrinted(const FieldPath &path, const std::string &printedValue, const std::string &detail);
    void notSupportedPrinted(const FieldPath &path, const std::string &printedValue,
                             const std::vector<std::string> &supported);
    void duplicatePrinted(const FieldPath &path, const std::string &printedValue, const std::string &detail = {});
    void forbidden(const FieldPath &path, const std::string &detail);
    void tooLong(const FieldPath &path, size_t max);
    void tooMany(const FieldPath &path, size_t actual, size_t max);
    void notFound(const FieldPath &path, const Json &value);
    // Adds one Invalid error per message of a name check (names::dns1123Label, ...).
    void invalidEach(const FieldPath &path, const Json &value, const std::vector<std::string> &messages);
    void append(const FieldErrors &other);

    bool empty() const { return m_causes.empty(); }
    size_t size() const { return m_causes.size(); }
    const std::vector<ErrorCause> &causes() const { return m_causes; }
    // "field: message" lines, as kubectl prints each cause.
    std::vector<std::string> lines() const;

    // The Invalid error for an object: `Deployment.apps "web" is invalid: ...`.
    Error toError(const std::string &qualifiedKind, const std::string &name) const;

    // How Kubernetes prints a bad value: strings quoted, numbers plain, others as JSON.
    static std::string formatValue(const Json &value);

private:
    void add(const char *reason, const FieldPath &path, std::string message);
    std::vector<ErrorCause> m_causes;
};

} // namespace cd::api
