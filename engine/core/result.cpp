#include "engine/core/result.h"

namespace cd {

int httpCode(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadRequest: return 400;
    case ErrorKind::Unauthorized: return 401;
    case ErrorKind::Forbidden: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::MethodNotAllowed: return 405;
    case ErrorKind::NotAcceptable: return 406;
    case ErrorKind::AlreadyExists: return 409;
    case ErrorKind::Conflict: return 409;
    case ErrorKind::Gone: return 410;
    case ErrorKind::RequestTooLarge: return 413;
    case ErrorKind::UnsupportedMedia: return 415;
    case ErrorKind::Invalid: return 422;
    case ErrorKind::TooManyRequests: return 429;
    case ErrorKind::Internal: return 500;
    case ErrorKind::ServiceUnavailable: return 503;
    case ErrorKind::Timeout: return 504;
    }
    return 500;
}

const char *statusReason(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadRequest: return "BadRequest";
    case ErrorKind::Unauthorized: return "Unauthorized";
    case ErrorKind::Forbidden: return "Forbidden";
    case ErrorKind::NotFound: return "NotFound";
    case ErrorKind::MethodNotAllowed: return "MethodNotAllowed";
    case ErrorKind::NotAcceptable: return "NotAcceptable";
    case ErrorKind::AlreadyExists: return "AlreadyExists";
    case ErrorKind::Conflict: return "Conflict";
    case ErrorKind::Gone: return "Expired";
    case ErrorKind::RequestTooLarge: return "RequestEntityTooLarge";
    case ErrorKind::UnsupportedMedia: return "UnsupportedMediaType";
    case ErrorKind::Invalid: return "Invalid";
    case ErrorKind::TooManyRequests: return "TooManyRequests";
    case ErrorKind::Internal: return "InternalError";
    case ErrorKind::ServiceUnavailable: return "ServiceUnavailable";
    case ErrorKind::Timeout: return "Timeout";
    }
    return "InternalError";
}

} // namespace cd
