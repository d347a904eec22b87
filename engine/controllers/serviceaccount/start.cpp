#include "engine/controllers/controllermanager.h"
#include "engine/controllers/serviceaccount/serviceaccountscontroller.h"
#include "engine/controllers/serviceaccount/tokenscontroller.h"

namespace cd::controllers {

// The serviceaccount controller (default accounts) and, as before Kubernetes 1.24, the tokens
// controller giving each account its token Secret.
void startServiceAccountController(ControllerContext &context)
{
    new serviceaccount::ServiceAccountsController(context.client, context.informers, context.parent);
    new serviceaccount::TokensController(context.client, context.informers, context.options.rootCaPem, context.parent);
}

} // namespace cd::controllers
