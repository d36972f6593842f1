namespace OneCard.Domain.Identity;

/// <summary>Gender as encoded in an ID number's sequence digit (odd = male, even = female).</summary>
public enum Gender
{
    Female,
    Male,
}
