using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FairDelegation.Api.Tests;

/// <summary>Request bodies and a small, separable dataset for train-classifier.</summary>
public static class Bodies
{
    public static string Csv(int rows, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("x1,x2,label\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble() * 4 - 2;
            var x2 = random.NextDouble() * 4 - 2;
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{x1:0.0000},{x2:0.0000},{(x1 + 0.5 * x2 > 0.1 ? "yes" : "no")}\n"));
        }
        return sb.ToString();
    }

    /// <summary>A valid POST /api/delegations body: train-classifier on 120 rows, accuracy >= 0.8 on 40 hidden rows.</summary>
    public static JsonObject Delegation(string providerUrl, string? id = null)
    {
        var body = new JsonObject
        {
            ["providerUrl"] = providerUrl,
            ["service"] = "train-classifier",
            ["input"] = new JsonObject { ["text"] = Csv(120, 1) },
            ["sla"] = new JsonObject { ["kind"] = "classifier-accuracy", ["minAccuracy"] = 0.8 },
            ["assets"] = new JsonObject { ["test-set"] = new JsonObject { ["text"] = Csv(40, 2) } },
            ["wageWei"] = ApiFixture.Wage,
        };
        if (id is not null) body["id"] = id;
        return body;
    }

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public static StringContent Raw(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>Reads a ProblemDetails body and checks its status and content type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        ((int)response.StatusCode).Should().Be(status, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
        return problem;
    }
}
