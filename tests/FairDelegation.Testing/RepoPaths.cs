namespace FairDelegation.Testing;

/// <summary>Locates the repository and the real component binaries installed from package-lock.json.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root (the folder holding FairDelegation.Functions.sln).</summary>
    public static string Root => RootLazy.Value;

    public static string NodeModules => Path.Combine(Root, "node_modules");

    /// <summary>A Foundry binary called directly: the npx wrappers swallow exit codes.</summary>
    public static string Foundry(string tool) =>
        Require(Path.Combine(NodeModules, "@foundry-rs", $"{tool}-linux-amd64", "bin", tool));

    public static string Anvil => Foundry("anvil");
    public static string Cast => Foundry("cast");
    public static string Forge => Foundry("forge");

    /// <summary>Azurite's blob-only entry point (node script).</summary>
    public static string AzuriteBlob => Require(Path.Combine(NodeModules, "azurite", "dist", "src", "blob", "main.js"));

    /// <summary>All of Azurite: blob, queue and table services (the azure-storage workflow backend needs the three).</summary>
    public static string AzuriteAll => Require(Path.Combine(NodeModules, "azurite", "dist", "src", "azurite.js"));

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException(
            $"{path} is missing: node_modules is installed by the build (infra/ensure-node-modules.sh); run `dotnet build` first.", path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FairDelegation.Functions.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("FairDelegation.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
