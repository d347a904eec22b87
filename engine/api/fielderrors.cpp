#include "engine/api/fielderrors.h"

namespace cd::api {

FieldPath FieldPath::child(const std::string &name) const
{
    return FieldPath(m_text.empty() ? name : m_text + "." + name);
}

FieldPath FieldPath::index(size_t i) const { return FieldPath(m_text + "[" + std::to_string(i) + "]"); }

FieldPath FieldPath::key(const std::string &k) const { return FieldPath(m_text + "[" + k + "]"); }

std::string FieldErrors::formatValue(const Json &value)
{
    if (value.is_string())
        return dump(value);
    if (value.is_null())
        return "null";
    if (value.is_number() || value.is_boolean())
        return value.dump();
    return dump(value);
}

void FieldErrors::add(const char *reason, const FieldPath &path, std::string message)
{
    m_causes.push_back(ErrorCause{reason, std::move(message), path.str()});
}

void FieldErrors::required(const FieldPath &path, const std::string &detail)
{
    add("FieldValueRequired", path, detail.empty() ? "Required value" : "Required value: " + detail);
}

void FieldErrors::invalid(const FieldPath &path, const Json &value, const std::string &detail)
{
    std::string message = "Invalid value: " + formatValue(value);
    if (!detail.empty())
        message += ": " + detail;
    add("FieldValueInvalid", path, std::move(message));
}

void FieldErrors::duplicate(const FieldPath &path, const Json &value)
{
    add("FieldValueDuplicate", path, "Duplicate value: " + formatValue(value));
}

void FieldErrors::invalidPrinted(const FieldPath &path, const std::string &printedValue, const std::string &detail)
{
    std::string message = "Invalid value";
    if (!printedValue.empty())
        message += ": " + printedValue;
    if (!detail.empty())
        message += ": " + detail;
    add("FieldValueInvalid", path, std::move(message));
}

void FieldErrors::duplicatePrinted(const FieldPath &path, const std::string &printedValue, const std::string &detail)
{
    std::string message = "Duplicate value: " + printedValue;
    if (!detail.empty())
        message += ": " + detail;
    add("FieldValueDuplicate", path, std::move(message));
}

void FieldErrors::notSupported(const FieldPath &path, const Json &value, const std::vector<std::string> &supported)
{
    notSupportedPrinted(path, formatValue(value), supported);
}

void FieldErrors::notSupportedPrinted(const FieldPath &path, const std::string &printedValue,
                                      const std::vector<std::string> &supported)
{
    std::string message = "Unsupported value: " + printedValue;
    if (!supported.empty()) {
        message += ": supported values: ";
        for (size_t i = 0; i < supported.size(); ++i)
            message += (i ? ", \"" : "\"") + supported[i] + "\"";
    }
    add("FieldValueNotSupported", path, std::move(message));
}

void FieldErrors::forbidden(const FieldPath &path, const std::string &detail)
{
    add("FieldValueForbidden", path, detail.empty() ? "Forbidden" : "Forbidden: " + detail);
}

void FieldErrors::tooLong(const FieldPath &path, size_t max)
{
    add("FieldValueTooLong", path, "Too long: may not be more than " + std::to_string(max) + " bytes");
}

void FieldErrors::tooMany(const FieldPath &path, size_t actual, size_t max)
{
    add("FieldValueTooMany", path,
        "Too many: " + std::to_string(actual) + ": must have at most " + std::to_string(max) + " items");
}

void FieldErrors::notFound(const FieldPath &path, const Json &value)
{
    add("FieldValueNotFound", path, "Not found: " + formatValue(value));
}

void FieldErrors::invalidEach(const FieldPath &path, const Json &value, const std::vector<std::string> &messages)
{
    for (const std::string &m : messages)
        invalid(path, value, m);
}

void FieldErrors::append(const FieldErrors &other)
{
    m_causes.insert(m_causes.end(), other.m_causes.begin(), other.m_causes.end());
}

std::vector<std::string> FieldErrors::lines() const
{
    std::vector<std::string> out;
    for (const auto &c : m_causes)
        out.push_back(c.field.empty() ? c.message : c.field + ": " + c.message);
    return out;
}

Error FieldErrors::toError(const std::string &qualifiedKind, const std::string &name) const
{
    const auto all = lines();
    std::string message = qualifiedKind + " \"" + name + "\" is invalid: ";
    if (all.size() == 1) {
        message += all[0];
    } else {
        message += "[";
        for (size_t i = 0; i < all.size(); ++i)
            message += (i ? ", " : "") + all[i];
        message += "]";
    }
    return Error::invalid(std::move(message), m_causes);
}

} // namespace cd::api
