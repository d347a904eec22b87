// GET of one object and LIST of a collection, as JSON or as a server-side Table.
#include "engine/api/handlers.h"
#include "engine/api/status.h"
#include "engine/api/summaries.h"
#include "engine/api/table.h"

#include <QByteArray>

namespace cd::api {
namespace {

std::string encodeContinue(store::Revision revision, const std::string &lastKey)
{
    const std::string token = dump(Json{{"rv", revision}, {"start", lastKey}});
    return QByteArray::fromStdString(token).toBase64(QByteArray::Base64UrlEncoding).toStdString();
}

Result<std::string> decodeContinue(const std::string &token)
{
    const QByteArray raw = QByteArray::fromBase64(QByteArray::fromStdString(token), QByteArray::Base64UrlEncoding);
    Json parsed = Json::parse(raw.toStdString(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("start"))
        return Error::badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    return str(parsed, {"start"});
}

} // namespace

void handleGet(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto record = context.store().get(type.key(target.ns, target.name));
    if (!record) {
        respondError(sink, notFound(type, target.name));
        return;
    }
    if (wantsTable(request.accept)) {
        const Json object = parseStored(record->value);
        Json rows = Json::array({tableRow(type, object, includeObjectMode(request.param("includeObject", "")))});
        sink->respond(objectResponse(200, dump(makeTable(type, std::move(rows),
                                                         std::to_string(record->modRevision)))));
        return;
    }
    sink->respond(objectResponse(200, *record->value));
}

void handleList(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto selectors = parseSelectors(type, request);
    if (!selectors.ok()) {
        respondError(sink, selectors.error());
        return;
    }
    long long limit = 0;
    if (auto text = request.param("limit"))
        limit = std::atoll(text->c_str());
    std::string startAfter;
    if (auto token = request.param("continue"); token && !token->empty()) {
        auto start = decodeContinue(*token);
        if (!start.ok()) {
            respondError(sink, start.error());
            return;
        }
        startAfter = *start;
    }
    const bool table = wantsTable(request.accept);
    const IncludeObject include = includeObjectMode(request.param("includeObject", ""));
    const bool filter = !selectors->matchesEverything();
    const store::Revision revision = context.store().revision();
    SummaryCache &summaries = context.summaries();

    // Items (or table rows) are assembled as text: stored values are used as they are, and
    // table rows come from the summaries, so nothing is parsed or re-encoded here.
    std::string items;
    std::vector<store::Value> rawItems;
    long long count = 0;
    long long remaining = 0;
    std::string lastKey;
    bool more = false;
    context.store().forEach(context.listPrefix(type, target.ns), [&](const store::RecordView &record) {
        if (!startAfter.empty() && record.key() <= startAfter)
            return;
        const ObjectSummary *summary = filter || table ? &summaries.summary(type, record) : nullptr;
        if (filter && !selectors->matches(type, *summary))
            return;
        if (more || (limit > 0 && count == limit)) {
            // Past the limit: only count what a client would get on the next pages.
            more = true;
            ++remaining;
            return;
        }
        ++count;
        lastKey = record.key();
        if (request.rawItems && !table) {
            rawItems.push_back(record.value());
            return;
        }
        if (!items.empty())
            items += ',';
        if (!table) {
            items += *record.value();
            return;
        }
        items += R"({"cells":)";
        if (type.cellsOnRead)
            items += dump(tableCells(type, parseStored(record.value())));
        else if (summary->cells().find("\"$since\"") == std::string_view::npos)
            items += summary->cells();  // cells without an age are already as sent
        else
            items += dump(renderCells(Json::parse(summary->cells())));
        if (include == IncludeObject::Metadata) {
            items += R"(,"object":)";
            items += partialObjectMetadata(*record.value());
        } else if (include == IncludeObject::Object) {
            items += R"(,"object":)";
            items += *record.value();
        }
        items += '}';
    });

    Json listMeta = {{"resourceVersion", std::to_string(revision)}};
    if (more) {
        listMeta["continue"] = encodeContinue(revision, lastKey);
        listMeta["remainingItemCount"] = remaining;
    }
    if (request.rawItems && !table) {
        ApiResponse response = objectResponse(200, dump(Json{{"metadata", listMeta}}));
        response.items = std::move(rawItems);
        sink->respond(std::move(response));
        return;
    }
    std::string body;
    if (table) {
        body = R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":)" + dump(listMeta) +
               R"(,"columnDefinitions":)" + dump(columnDefinitions(type)) + R"(,"rows":[)";
    } else {
        body = R"({"kind":")" + type.kind + R"(List","apiVersion":")" + type.apiVersion() + R"(","metadata":)" +
               dump(listMeta) + R"(,"items":[)";
    }
    body += items;
    body += "]}";
    sink->respond(objectResponse(200, body));
}

} // namespace cd::api
