#pragma once
// Errors as values. The engine never throws across a component boundary: a function that can
// fail returns Result<T>, and the API server turns an Error into a Kubernetes Status object.

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cd {

// The failure kinds the API knows, with the HTTP code and Status reason Kubernetes uses.
enum class ErrorKind {
    BadRequest,          // 400
    Unauthorized,        // 401
    Forbidden,           // 403
    NotFound,            // 404
    MethodNotAllowed,    // 405
    NotAcceptable,       // 406
    AlreadyExists,       // 409
    Conflict,            // 409
    Gone,                // 410 (reason Expired)
    RequestTooLarge,     // 413
    UnsupportedMedia,    // 415
    Invalid,             // 422
    TooManyRequests,     // 429
    Internal,            // 500
    ServiceUnavailable,  // 503
    Timeout,             // 504
};

int httpCode(ErrorKind kind);
const char *statusReason(ErrorKind kind);

// One field-level problem, as a Kubernetes StatusCause.
struct ErrorCause {
    std::string reason;  // FieldValueInvalid, FieldValueRequired, FieldValueDuplicate, ...
    std::string message;
    std::string field;   // field path, e.g. spec.containers[0].ports[1].containerPort
};

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;
    std::vector<ErrorCause> causes;
    // Status details: the object the error is about (kind is the resource's plural name, as
    // Kubernetes writes it, or the Kind for Invalid errors).
    std::string detailName;
    std::string detailGroup;
    std::string detailKind;

    static Error badRequest(std::string message) { return {ErrorKind::BadRequest, std::move(message), {}}; }
    static Error notFound(std::string message) { return {ErrorKind::NotFound, std::move(message), {}}; }
    static Error conflict(std::string message) { return {ErrorKind::Conflict, std::move(message), {}}; }
    static Error internal(std::string message) { return {ErrorKind::Internal, std::move(message), {}}; }
    static Error invalid(std::string message, std::vector<ErrorCause> causes = {})
    {
        return {ErrorKind::Invalid, std::move(message), std::move(causes)};
    }
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_value(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_value); }
    const T &value() const & { return std::get<T>(m_value); }
    T &&value() && { return std::get<T>(std::move(m_value)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(m_value); }
    Error &&takeError() { return std::get<Error>(std::move(m_value)); }

private:
    std::variant<T, Error> m_value;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }
    Error &&takeError() { return std::move(m_error); }

private:
    Error m_error;
    bool m_failed = false;
};

using Status = Result<void>;

} // namespace cd

// Early exit on failure, in the spirit of SerenityOS's TRY: `CD_TRY(auto x, parse(text));`
#define CD_CONCAT_INNER(a, b) a##b
#define CD_CONCAT(a, b) CD_CONCAT_INNER(a, b)
#define CD_TRY(decl, expr) CD_TRY_IMPL(decl, expr, CD_CONCAT(cdTryResult_, __LINE__))
#define CD_TRY_IMPL(decl, expr, tmp)             \
    auto tmp = (expr);                           \
    if (!tmp.ok())                               \
        return tmp.takeError();                  \
    decl = std::move(tmp).value()
#define CD_CHECK(expr)                           \
    do {                                         \
        auto cdCheck_ = (expr);                  \
        if (!cdCheck_.ok())                      \
            return cdCheck_.takeError();         \
    } while (false)
