#pragma once
// Rules shared by every object's metadata: name, namespace, labels, annotations, finalizers,
// owner references, and the system fields the server owns (uid, timestamps, generation).

#include "engine/api/fielderrors.h"
#include "engine/api/resourcetype.h"

namespace cd::api {

void validateObjectMeta(const ResourceType &type, const Json &object, FieldErrors &errors);
void validateObjectMetaUpdate(const Json &object, const Json &old, FieldErrors &errors);
void validateLabels(const Json &labels, const FieldPath &path, FieldErrors &errors);

// Sets what the server owns at creation: uid, creationTimestamp, generation; clears the rest.
void prepareMetaForCreate(const ResourceType &type, Json &object);
// Carries over what an update may not change: uid, creationTimestamp, deletion fields, generation.
void prepareMetaForUpdate(const ResourceType &type, Json &object, const Json &old);

// Everything except metadata and status, compared to decide whether the generation moves.
bool specChanged(const Json &object, const Json &old);

} // namespace cd::api
