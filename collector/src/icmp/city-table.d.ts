/** Where the table is: in the repository (and the Docker image), beside the plugin that shares it. */
export declare const cityTablePath: string;
/**
 * Coordinates of a city, or why there are none (with the spelling the table knows when one city of
 * that country starts with the given name).
 */
export declare function locateCity(city: string, country: string): {
    lat: number;
    lon: number;
} | {
    why: string;
};
