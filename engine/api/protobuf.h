#pragma once
// Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf) to the JSON
// an equivalent JSON request carries. kubectl's typed clients send built-in kinds this way.
//
// The wire format says only field numbers and wire types; the OpenAPI schemas (SchemaRegistry) say
// what each JSON property is, and resources/protobuf/fields.yaml (ProtobufFields) joins the two:
// which number carries which property. A body is the 4 bytes "k8s\0" and a runtime.Unknown
// envelope whose typeMeta names the kind and whose raw bytes are the object's message.

#include "engine/api/schemas.h"
#include "engine/core/json.h"
#include "engine/core/result.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cd::api {

constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";
bool isProtobufContentType(const std::string &contentType);

// The field numbers of fields.yaml, bundled at build time.
class ProtobufFields {
public:
    struct Field {
        std::string name;             // the JSON property; empty for an inline field
        std::string inlineDefinition; // an embedded Go struct whose fields belong to this object
        bool emitZero = false;        // a Go pointer or a field without omitempty: 0, "" and false are kept
        bool wrapped = false;         // a list sent as a message whose field 1 repeats the items
    };

    static const ProtobufFields &builtin();
    explicit ProtobufFields(const Json &numbers);

    bool describes(const std::string &definition) const { return m_fields.count(definition) > 0; }
    const Field *field(const std::string &definition, int number) const;
    // Every JSON property a definition's numbers reach, through inline fields too.
    std::vector<std::string> properties(const std::string &definition) const;

private:
    std::map<std::string, std::map<int, Field>> m_fields;
};

struct ProtobufBody {
    Json value;
    // Paths of field numbers the definitions do not know, e.g. "spec.template.spec.#42"
    // (reported like unknown JSON fields under fieldValidation).
    std::vector<std::string> unknownFields;
};

// A whole body: prefix, envelope and object. Errors are BadRequest and say where (byte offset,
// field path) the body could not be read.
Result<ProtobufBody> decodeProtobuf(std::string_view body, const SchemaRegistry &schemas = SchemaRegistry::builtin(),
                                    const ProtobufFields &fields = ProtobufFields::builtin());

// One message of a known definition, without prefix or envelope.
Result<ProtobufBody> decodeProtobufMessage(std::string_view message, const std::string &definition,
                                           const SchemaRegistry &schemas = SchemaRegistry::builtin(),
                                           const ProtobufFields &fields = ProtobufFields::builtin());

} // namespace cd::api
