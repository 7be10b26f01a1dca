using FairDelegation.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker with ASP.NET Core integration: HTTP functions take HttpRequest and answer IResult, like the
// node's minimal API. Settings come from local.settings.json (locally) or the app settings (in Azure), as
// FairDelegation__* environment variables: the same keys as the node's appsettings.json.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFairDelegationFunctions();
builder.Build().Run();
