namespace ObsFaceSwap.Obs;

/// <summary>
/// obs-websocket's <c>requestStatus.code</c>, grouped by range: 100 success, 200 request-level
/// failures, 300 missing field, 400 invalid field, 500 output state, 600 resource, 700 failed action.
/// Codes this enum does not name are still carried as their numeric value.
/// </summary>
public enum ObsRequestStatusCode
{
    /// <summary>Unknown status; should never be returned.</summary>
    Unknown = 0,

    /// <summary>For internal use: no error.</summary>
    NoError = 10,

    /// <summary>The request succeeded.</summary>
    Success = 100,

    /// <summary>The <c>requestType</c> field is missing.</summary>
    MissingRequestType = 203,

    /// <summary>The request type is unknown.</summary>
    UnknownRequestType = 204,

    /// <summary>Generic error.</summary>
    GenericError = 205,

    /// <summary>The batch execution type is not supported.</summary>
    UnsupportedRequestBatchExecutionType = 206,

    /// <summary>The server is not ready to handle the request (e.g. OBS is still starting).</summary>
    NotReady = 207,

    /// <summary>A required request field is missing.</summary>
    MissingRequestField = 300,

    /// <summary>The request has no data although it needs some.</summary>
    MissingRequestData = 301,

    /// <summary>A request field has an invalid value.</summary>
    InvalidRequestField = 400,

    /// <summary>A request field has the wrong type.</summary>
    InvalidRequestFieldType = 401,

    /// <summary>A request field is out of range.</summary>
    RequestFieldOutOfRange = 402,

    /// <summary>A request field is empty.</summary>
    RequestFieldEmpty = 403,

    /// <summary>Too many request fields.</summary>
    TooManyRequestFields = 404,

    /// <summary>The output is already running.</summary>
    OutputRunning = 500,

    /// <summary>The output is not running.</summary>
    OutputNotRunning = 501,

    /// <summary>The output is paused.</summary>
    OutputPaused = 502,

    /// <summary>The output is not paused.</summary>
    OutputNotPaused = 503,

    /// <summary>The output is disabled.</summary>
    OutputDisabled = 504,

    /// <summary>Studio mode is active.</summary>
    StudioModeActive = 505,

    /// <summary>Studio mode is not active.</summary>
    StudioModeNotActive = 506,

    /// <summary>The resource (source, scene, filter, vendor, ...) was not found.</summary>
    ResourceNotFound = 600,

    /// <summary>The resource already exists.</summary>
    ResourceAlreadyExists = 601,

    /// <summary>The resource is of the wrong type.</summary>
    InvalidResourceType = 602,

    /// <summary>Not enough instances of the resource.</summary>
    NotEnoughResources = 603,

    /// <summary>The resource's state does not allow the request.</summary>
    InvalidResourceState = 604,

    /// <summary>The input kind is not valid.</summary>
    InvalidInputKind = 605,

    /// <summary>The resource cannot be configured.</summary>
    ResourceNotConfigurable = 606,

    /// <summary>The filter kind is not valid.</summary>
    InvalidFilterKind = 607,

    /// <summary>Creating the resource failed.</summary>
    ResourceCreationFailed = 700,

    /// <summary>Performing an action on the resource failed.</summary>
    ResourceActionFailed = 701,

    /// <summary>Processing the request failed for an unknown reason.</summary>
    RequestProcessingFailed = 702,

    /// <summary>The combination of fields cannot be acted on.</summary>
    CannotAct = 703,
}
