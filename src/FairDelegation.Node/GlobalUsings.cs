global using FairDelegation.Durable;
global using FairDelegation.Durable.Client;
