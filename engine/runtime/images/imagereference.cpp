#include "engine/runtime/images/imagereference.h"

#include <algorithm>
#include <regex>

namespace cd::runtime::images {

namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr size_t kNameMaxLength = 255;

// The grammar of distribution/reference (regexp.go).
const std::regex &pathComponentPattern()
{
    static const std::regex pattern("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
    return pattern;
}

const std::regex &domainPattern()
{
    static const std::regex pattern("(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
                                    "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                                    "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    return pattern;
}

const std::regex &tagPattern()
{
    static const std::regex pattern("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    return pattern;
}

bool isLowerHex(std::string_view text)
{
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool hasUpper(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool matches(std::string_view text, const std::regex &pattern)
{
    return std::regex_match(text.begin(), text.end(), pattern);
}

// Only the digest algorithms registries use; the hex part must have the algorithm's length.
std::string digestProblem(std::string_view digest)
{
    const size_t colon = digest.find(':');
    if (colon == std::string_view::npos)
        return "digest \"" + std::string(digest) + "\" must look like sha256:<64 hex digits>";
    const std::string_view algorithm = digest.substr(0, colon);
    const std::string_view hex = digest.substr(colon + 1);
    size_t expected = 0;
    if (algorithm == "sha256")
        expected = 64;
    else if (algorithm == "sha512")
        expected = 128;
    else
        return "digest algorithm \"" + std::string(algorithm) + "\" is not supported (use sha256)";
    if (hex.size() != expected || !isLowerHex(hex))
        return "digest \"" + std::string(digest) + "\" must be " + std::string(algorithm) + ": followed by " +
               std::to_string(expected) + " lowercase hex digits";
    return {};
}

// Docker's splitDockerDomain: the first component is a registry host only when it looks like one.
bool looksLikeDomain(std::string_view first)
{
    return first.find_first_of(".:") != std::string_view::npos || first == "localhost" || hasUpper(first);
}

} // namespace

std::string ImageReference::toString() const
{
    std::string text = repository();
    if (!tag.empty())
        text += ':' + tag;
    if (!digest.empty())
        text += '@' + digest;
    return text;
}

std::string ImageReference::familiarRepository() const
{
    if (domain != kDefaultDomain)
        return repository();
    const std::string_view shortPath = path;
    if (shortPath.starts_with(kOfficialPrefix) && shortPath.find('/', kOfficialPrefix.size()) == std::string_view::npos)
        return std::string(shortPath.substr(kOfficialPrefix.size()));
    return path;
}

std::string ImageReference::familiar() const
{
    std::string text = familiarRepository();
    if (!tag.empty())
        text += ':' + tag;
    if (!digest.empty())
        text += '@' + digest;
    return text;
}

Result<ImageReference> parseImageReference(std::string_view text)
{
    const auto invalid = [&](const std::string &reason) {
        return Error::badRequest("invalid image reference \"" + std::string(text) + "\": " + reason);
    };
    if (text.empty())
        return Error::badRequest("invalid image reference: the image name is empty");
    if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; }))
        return invalid("it contains whitespace or control characters");
    if (text.size() == 64 && isLowerHex(text))
        return invalid("a 64-digit hexadecimal string is an image ID, not a name");

    ImageReference reference;
    std::string_view name = text;
    if (const size_t at = name.find('@'); at != std::string_view::npos) {
        reference.digest = std::string(name.substr(at + 1));
        name = name.substr(0, at);
        if (reference.digest.empty())
            return invalid("the digest after '@' is empty");
        if (const std::string problem = digestProblem(reference.digest); !problem.empty())
            return invalid(problem);
    }
    const size_t lastSlash = name.rfind('/');
    const size_t tagColon = name.rfind(':');
    if (tagColon != std::string_view::npos && (lastSlash == std::string_view::npos || tagColon > lastSlash)) {
        reference.tag = std::string(name.substr(tagColon + 1));
        name = name.substr(0, tagColon);
        if (reference.tag.empty())
            return invalid("the tag after ':' is empty");
        if (!matches(reference.tag, tagPattern()))
            return invalid("tag \"" + reference.tag +
                           "\" may use only letters, digits, '_', '.' and '-', must not start with '.' or '-', "
                           "and has at most 128 characters");
    }
    if (name.empty())
        return invalid("the repository name is empty");

    std::string_view remainder = name;
    reference.domain = std::string(kDefaultDomain);
    if (const size_t slash = name.find('/');
        slash != std::string_view::npos && looksLikeDomain(name.substr(0, slash))) {
        reference.domain = std::string(name.substr(0, slash));
        remainder = name.substr(slash + 1);
        if (!matches(reference.domain, domainPattern()))
            return invalid("registry host \"" + reference.domain + "\" is not a valid host name[:port]");
        if (reference.domain == "index.docker.io")
            reference.domain = std::string(kDefaultDomain);
    }
    if (hasUpper(remainder))
        return invalid("repository name \"" + std::string(remainder) + "\" must be lowercase");
    reference.path = std::string(remainder);
    if (reference.domain == kDefaultDomain && remainder.find('/') == std::string_view::npos)
        reference.path = std::string(kOfficialPrefix) + reference.path;

    size_t start = 0;
    while (start <= remainder.size()) {
        const size_t end = std::min(remainder.find('/', start), remainder.size());
        const std::string_view component = remainder.substr(start, end - start);
        if (component.empty())
            return invalid("the repository name has an empty path component (\"//\" or a '/' at an end)");
        if (!matches(component, pathComponentPattern()))
            return invalid("path component \"" + std::string(component) +
                           "\" is not valid: use lowercase letters and digits, separated by '.', '_', '__' or '-'");
        start = end + 1;
    }
    if (reference.repository().size() > kNameMaxLength)
        return invalid("the repository name is longer than " + std::to_string(kNameMaxLength) + " characters");
    if (reference.tag.empty() && reference.digest.empty())
        reference.tag = "latest";
    return reference;
}

} // namespace cd::runtime::images
