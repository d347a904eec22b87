#include "engine/proxy/dnsresponder.h"

#include "engine/proxy/dnsmessage.h"

#include <algorithm>
#include <cctype>

namespace cd::proxy {

namespace {

bool inDomain(std::string name, const std::string &domain)
{
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return name == domain ||
           (name.size() > domain.size() && name.compare(name.size() - domain.size(), domain.size(), domain) == 0 &&
            name[name.size() - domain.size() - 1] == '.');
}

} // namespace

std::string answerDnsMessage(std::string_view message, bool overUdp, const DnsResolver &resolve,
                             const DnsResponderOptions &options)
{
    const std::optional<dns::Query> query = dns::parseQuery(message);
    if (!query)
        return {};
    const size_t limit = overUdp ? query->udpSize : 65535;
    if (query->malformed || query->questions.size() != 1)
        return dns::encodeResponse(*query, dns::Rcode::FormErr, {}, false, limit);
    if (query->opcode != 0)
        return dns::encodeResponse(*query, dns::Rcode::NotImp, {}, false, limit);
    const dns::Question &question = query->questions.front();
    if (question.klass != dns::IN && question.klass != dns::ANY_CLASS)
        return dns::encodeResponse(*query, dns::Rcode::NotImp, {}, false, limit);
    const bool ours = inDomain(question.name, options.clusterDomain);
    const DnsLookup found = ours ? resolve(question.name) : DnsLookup{};
    if (found.outcome == DnsLookup::Outcome::NoSuchName)
        return dns::encodeResponse(*query, dns::Rcode::NXDomain, {}, ours, limit);
    std::vector<dns::Record> answers;
    if (!found.canonicalName.empty()) {
        answers.push_back(dns::canonicalNameRecord(question.name, found.canonicalName, options.ttl));
    } else if (question.type == dns::A || question.type == dns::ANY) {
        for (const std::string &address : found.addresses)
            answers.push_back(dns::addressRecord(question.name, address, options.ttl));
    }
    // Any other type of a name that exists: no records, no error ("NODATA"), so a resolver
    // asking for AAAA and A together keeps the A answer.
    return dns::encodeResponse(*query, dns::Rcode::NoError, answers, true, limit);
}

} // namespace cd::proxy
